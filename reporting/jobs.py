"""The Celery tasks of the reporting app, gathered for the one autodiscovery (greenplan/celery.py).

The tasks live beside the code they run: reminders and delivery in notices/jobs.py, the province
report in province/jobs.py. Their `name=` strings are what beat rows and queued messages hold.
"""
from reporting.notices.jobs import deliver_notice, flush_outbox, send_reminders
from reporting.province.jobs import generate_province_report, resume_stalled_province_reports

__all__ = ["deliver_notice", "flush_outbox", "generate_province_report", "resume_stalled_province_reports",
           "send_reminders"]
