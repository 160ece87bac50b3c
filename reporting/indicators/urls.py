"""The indicator pages of officers and reviewers, in the `reporting` namespace at /reports/indicators/."""
from django.urls import path

from reporting.indicators import views

urlpatterns = [
    path("indicators/", views.home, name="indicators"),
    path("indicators/<int:pk>/add/", views.value_add, name="indicator_value_add"),
    path("indicators/values/<int:pk>/save/", views.value_save, name="indicator_value_save"),
    path("indicators/values/<int:pk>/revise/", views.value_revise, name="indicator_value_revise"),
    path("indicators/values/<int:pk>/submit/", views.value_submit, name="indicator_value_submit"),
    path("indicators/values/<int:pk>/return/", views.value_return, name="indicator_value_return"),
    path("indicators/values/<int:pk>/accept/", views.value_accept, name="indicator_value_accept"),
    path("indicators/values/<int:pk>/reopen/", views.value_reopen, name="indicator_value_reopen"),
    path("indicators/values/<int:pk>/evidence/", views.evidence_download, name="indicator_evidence"),
]
