"""The in-app notifications, in the `reporting_notices` namespace (reporting/urls.py)."""
from django.urls import path

from reporting.notices import views as views_notices

urlpatterns = [
    path("", views_notices.notification_list, name="list"),
    path("<int:pk>/read/", views_notices.notification_read, name="read"),
    path("read-all/", views_notices.notification_read_all, name="read_all"),
]
