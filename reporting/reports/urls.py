"""The report pages of officers and reviewers, in the `reporting` namespace (reporting/urls.py)."""
from django.urls import path

from reporting.reports import views

urlpatterns = [
    path("", views.home, name="home"),
    path("review/", views.queue, name="queue"),
    path("review/accept/", views.bulk_accept, name="bulk_accept"),
    path("contributions/", views.contributions, name="contributions"),
    path("contributions/<int:pk>/answer/", views.contribution_answer, name="contribution_answer"),
    path("agencies/<int:agency_id>/submitters/", views.submitters, name="submitters"),
    path("extensions/request/", views.extension_request, name="extension_request"),
    path("extensions/<int:pk>/grant/", views.extension_grant, name="extension_grant"),
    path("extensions/<int:pk>/refuse/", views.extension_refuse, name="extension_refuse"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    path("<int:pk>/", views.report_detail, name="report"),
    path("<int:pk>/changes/", views.report_changes, name="changes"),
    path("<int:pk>/save/", views.report_save, name="save"),
    path("<int:pk>/submit/", views.report_submit, name="submit"),
    path("<int:pk>/return/", views.report_return, name="return"),
    path("<int:pk>/accept/", views.report_accept, name="accept"),
    path("<int:pk>/reopen/", views.report_reopen, name="reopen"),
    path("<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("<int:pk>/contributions/", views.contribution_request, name="contribution_request"),
]
