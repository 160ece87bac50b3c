"""The cycle workbook's pages, in the `reporting` namespace (reporting/urls.py)."""
from django.urls import path

from reporting.workbook import views

urlpatterns = [
    path("workbook/<int:cycle_id>/<int:agency_id>/", views.workbook_download, name="workbook_download"),
    path("workbook/<int:cycle_id>/<int:agency_id>/upload/", views.workbook_upload, name="workbook_upload"),
    path("workbook/<int:cycle_id>/<int:agency_id>/confirm/", views.workbook_confirm, name="workbook_confirm"),
]
