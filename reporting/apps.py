from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_schedule(sender, using, **kwargs):
    from reporting.notices.schedule import sync_beat_schedule

    sync_beat_schedule(using)


class ReportingConfig(AppConfig):
    name = "reporting"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Register the Celery tasks in every process, so that code can queue one by its name.
        import reporting.jobs  # noqa: F401
        from reporting.notices.reminders import on_report_reviewed, on_workflow_event
        from reporting.reports.signals import report_reviewed, workflow_event

        report_reviewed.connect(on_report_reviewed, dispatch_uid="reporting.reminders.on_report_reviewed")
        workflow_event.connect(on_workflow_event, dispatch_uid="reporting.reminders.on_workflow_event")
        post_migrate.connect(_sync_schedule, sender=self, dispatch_uid="reporting.schedule.sync")
