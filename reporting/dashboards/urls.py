"""The dashboards, the consolidated status and the public summary page, in the `dashboard` namespace
(reporting/urls.py adds the province report's pages to it; greenplan/urls.py mounts it at "dashboard/").
The public page also lives at "/public/<plan code>/" (greenplan/urls.py)."""
from django.urls import path

from reporting.dashboards import views

urlpatterns = [
    path("", views.overview, name="overview"),
    path("plan/<slug:code>/", views.plan_dashboard, name="plan"),
    path("cycle/<int:cycle_id>/", views.cycle_dashboard, name="cycle"),
    path("cycle/<int:cycle_id>/status/", views.consolidated, name="status"),
    path("public/<slug:code>/", views.public_plan, name="public"),
    path("indicator/<int:pk>/", views.indicator_detail, name="indicator"),
    path("indicators/compare/<int:pk>/", views.indicator_compare, name="indicator_compare"),
]
