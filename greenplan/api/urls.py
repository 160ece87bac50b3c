"""/api/v1/… and the schema: exempt from the portal's login redirect (the API's own authentication
decides, and answers 401 in JSON)."""
from django.contrib.auth.decorators import login_not_required
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from . import docs, errors, views

app_name = "api"


def _open(view):
    return login_not_required(view)


urlpatterns = [
    path("v1/plans/", _open(views.PlanList.as_view()), name="plans"),
    path("v1/plan-items/", _open(views.PlanItemList.as_view()), name="plan_items"),
    path("v1/agencies/", _open(views.AgencyList.as_view()), name="agencies"),
    path("v1/cycles/", _open(views.CycleList.as_view()), name="cycles"),
    path("v1/cycles/<int:cycle_id>/official-report/", _open(views.OfficialReportDetail.as_view()),
         name="official_report"),
    path("v1/reports/", _open(views.ReportList.as_view()), name="reports"),
    path("v1/indicators/", _open(views.IndicatorList.as_view()), name="indicators"),
    path("schema/", _open(SpectacularAPIView.as_view(authentication_classes=[])), name="schema"),
    path("docs/", _open(docs.DocsView.as_view()), name="docs"),
    re_path(r"^.*$", _open(errors.not_found), name="not_found"),
]
