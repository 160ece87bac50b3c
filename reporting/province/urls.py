"""The province report's pages, in the `dashboard` namespace beside the dashboards (reporting/urls.py)."""
from django.urls import path

from reporting.province import views

urlpatterns = [
    path("cycle/<int:cycle_id>/province-report/", views.province_report, name="province_report"),
    path("jobs/<int:pk>/", views.job_status, name="job"),
    path("jobs/<int:pk>/status.json", views.job_json, name="job_json"),
    path("jobs/<int:pk>/download/", views.job_download, name="job_download"),
    path("jobs/<int:pk>/retry/", views.job_retry, name="job_retry"),
    path("cycle/<int:cycle_id>/official-report/", views.official_report, name="official_report"),
    path("cycle/<int:cycle_id>/official-report/countersign/", views.official_report_countersign,
         name="official_report_countersign"),
    path("official-reports/<int:pk>/download/", views.official_report_download, name="official_report_download"),
    path("public/<slug:code>/signed/<int:pk>/", views.public_official_report, name="public_official_report"),
]
