"""Signals other parts of the portal connect to (notices are sent by the reminders module)."""
from django.dispatch import Signal

# Sent after commit when a report is returned, accepted or reopened: report_id, event.
report_reviewed = Signal()
