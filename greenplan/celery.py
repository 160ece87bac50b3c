"""The Celery application. Job modules are named `jobs.py` in each app so that they are never
confused with the `tasks` app, which holds the plan's structure."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "greenplan.settings")

app = Celery("greenplan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(related_name="jobs")
