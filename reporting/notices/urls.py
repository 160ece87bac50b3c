"""The in-app notifications, in the `reporting_notices` namespace (reporting/urls.py)."""
from django.urls import path

from reporting.notices import views as views_notices

urlpatterns = [
    path("", views_notices.notification_list, name="list"),
    path("<int:pk>/read/", views_notices.notification_read, name="read"),
    path("read-all/", views_notices.notification_read_all, name="read_all"),
]

# The reviewer's "send a reminder now", in the `reporting` namespace at /reports/ (reporting/urls.py).
reporting_patterns = [
    path("review/<int:cycle_id>/remind/", views_notices.remind_now, name="remind_now"),
]
