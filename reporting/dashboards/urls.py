"""Dashboards, the consolidated status, the province report and the public summary page.

Included by greenplan/urls.py at "dashboard/". The public page is also meant to live at
"/public/<plan code>/" (a line in greenplan/urls.py pointing at views_dashboard.public_plan)."""
from django.urls import path

from reporting.dashboards import views

app_name = "dashboard"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("plan/<slug:code>/", views.plan_dashboard, name="plan"),
    path("cycle/<int:cycle_id>/", views.cycle_dashboard, name="cycle"),
    path("cycle/<int:cycle_id>/status/", views.consolidated, name="status"),
    path("cycle/<int:cycle_id>/province-report/", views.province_report, name="province_report"),
    path("jobs/<int:pk>/", views.job_status, name="job"),
    path("jobs/<int:pk>/status.json", views.job_json, name="job_json"),
    path("jobs/<int:pk>/download/", views.job_download, name="job_download"),
    path("public/<slug:code>/", views.public_plan, name="public"),
]
