"""Signals other parts of the portal connect to (notices are sent by the reminders module)."""
from django.dispatch import Signal

# Sent after commit when a report is returned, accepted or reopened: report_id, event.
report_reviewed = Signal()

# Sent after commit when a workflow move concerns someone other than its author: `event` is
# "input_requested" (object_id: a ContributionRequest), "extension_requested" or
# "extension_decided" (object_id: an Extension).
workflow_event = Signal()
