"""The API's views: read-only lists (and one official report per cycle). Each asks visibility.Reader
for its queryset, applies the client's filters and pages in a stable order: a fixed number of
queries per page, whatever the page's number or size (tests/api/test_query_counts.py)."""
from __future__ import annotations

import datetime as dt
from functools import cached_property

from django.db.models import Q
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter, OpenApiResponse, PolymorphicProxySerializer, extend_schema, inline_serializer,
)
from rest_framework import exceptions, generics
from rest_framework import serializers as drf
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from agencies.models import Agency, Succession
from reporting.models import Attachment
from tasks.models import Plan, PlanItem

from . import serializers as ser
from .visibility import Reader

ERROR = inline_serializer("Error", {"detail": drf.CharField(), "status": drf.IntegerField()})
BAD_REQUEST = inline_serializer("BadRequest", {
    "detail": drf.CharField(), "status": drf.IntegerField(),
    "errors": drf.DictField(child=drf.ListField(child=drf.CharField()), help_text="Parameter → its messages.")})
ERRORS = {400: OpenApiResponse(BAD_REQUEST, description="Bad filter value (`errors` names the parameter)."),
          401: OpenApiResponse(ERROR, description="Unknown, revoked or malformed token; or a token is required."),
          404: OpenApiResponse(ERROR, description="No such page or object (or not visible to this client)."),
          429: OpenApiResponse(ERROR, description="Too many requests for this token in this minute.")}


class Pages(PageNumberPagination):
    invalid_page_message = _lazy("Không có trang này.")
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


def _int(request, name, high=2**31 - 1):
    """A whole number in 0..high (a year or an id), else a 400 naming the parameter (never a
    database error from a number out of the column's range)."""
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except ValueError:
        raise exceptions.ValidationError({name: [_("“%(v)s” không phải số nguyên.") % {"v": raw}]})
    if not 0 <= value <= high:
        raise exceptions.ValidationError({name: [_("%(v)s nằm ngoài khoảng 0–%(high)s.") % {"v": raw, "high": high}]})
    return value


def _since(request) -> dt.datetime | None:
    raw = request.query_params.get("updated_since")
    if raw in (None, ""):
        return None
    try:  # a "+" left unencoded in the query string arrives as a space
        value = parse_datetime(raw.replace(" ", "+")) if "T" in raw else None
        if value is None and parse_date(raw) is not None:
            value = dt.datetime.combine(parse_date(raw), dt.time.min)
    except ValueError:  # well formed but no such day or time (2026-13-01)
        value = None
    if value is None:
        raise exceptions.ValidationError({"updated_since": [
            _("“%(v)s” không phải thời điểm ISO 8601, ví dụ 2026-11-30T08:00:00+07:00.") % {"v": raw}]})
    if value.tzinfo is None:  # a bare time is Vietnam's, as every time the portal shows
        value = timezone.make_aware(value)
    return value


def _choice(request, name, choices):
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    if raw not in choices:
        raise exceptions.ValidationError({name: [_("“%(v)s” không hợp lệ; chọn một trong: %(c)s.") % {
            "v": raw, "c": ", ".join(choices)}]})
    return raw


def _changed_since(model, since, field="id"):
    """`field` of the `model` rows changed at or after `since`, from their history
    (django-simple-history writes a row for every change, the importers included): a subquery."""
    return model.history.filter(history_date__gte=since).values(field)


P_PLAN = OpenApiParameter("plan", str, description="Plan code, e.g. bd-396.")
P_YEAR = OpenApiParameter("year", int, description="Reporting year (for plans and items: active in that year).")
P_AGENCY = OpenApiParameter("agency", int, description="Agency id (lead or responsible agency).")
P_SINCE = OpenApiParameter("updated_since", OpenApiTypes.DATETIME,
                           description="ISO 8601 time; only objects changed at or after it (inclusive). "
                                       "Without a time zone: Asia/Ho_Chi_Minh. Deleted objects are not listed.")
P_JURISDICTION = OpenApiParameter("jurisdiction", int, description="Jurisdiction id.")
REPORT_STATES = ["missing", "draft", "submitted", "returned", "accepted"]
VALUE_STATES = ["draft", "submitted", "returned", "accepted"]


class ApiView(generics.GenericAPIView):
    """Read-only; a token's answers are never stored by a browser or proxy."""
    pagination_class = Pages
    requires_token = False

    @cached_property
    def reader(self) -> Reader:
        return Reader(self.request.auth)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.requires_token and request.auth is None:
            raise exceptions.NotAuthenticated(_("Cần khóa truy cập (Authorization: Token <khóa>)."))

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.auth is not None:
            patch_cache_control(response, no_store=True, private=True)
        return response

    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema(parameters=[P_PLAN, P_YEAR, P_JURISDICTION, P_SINCE],
               responses={200: ser.PlanSerializer(many=True), **ERRORS})
class PlanList(ApiView):
    """Plans: published ones without a token; with one, the plans its user may browse in its scope."""
    serializer_class = ser.PlanSerializer

    def get_queryset(self):
        qs = self.reader.plans().select_related("jurisdiction")
        if code := self.request.query_params.get("plan"):
            qs = qs.filter(code=code)
        if (year := _int(self.request, "year", high=9999)) is not None:
            qs = qs.filter(period_start__lte=year, period_end__gte=year)
        if (j := _int(self.request, "jurisdiction")) is not None:
            qs = qs.filter(jurisdiction_id=j)
        if (since := _since(self.request)) is not None:
            qs = qs.filter(pk__in=_changed_since(Plan, since))
        return qs.order_by("code", "id")


@extend_schema(parameters=[P_PLAN, P_YEAR, P_AGENCY, P_SINCE,
                           OpenApiParameter("level", str, enum=["theme", "group", "activity", "subactivity"])],
               responses={200: ser.PlanItemSerializer(many=True), **ERRORS})
class PlanItemList(ApiView):
    """Plan items with their lead and supporting agencies, timeline and flags (a token is required)."""
    serializer_class = ser.PlanItemSerializer
    requires_token = True

    def get_queryset(self):
        qs = (self.reader.plan_items().select_related("plan", "lead_agency")
              .prefetch_related("supporting_agencies"))
        if code := self.request.query_params.get("plan"):
            qs = qs.filter(plan__code=code)
        if (year := _int(self.request, "year", high=9999)) is not None:
            qs = qs.active_in(year)
        if (agency := _int(self.request, "agency")) is not None:
            qs = qs.filter(lead_agency_id=agency)
        if level := _choice(self.request, "level", ["theme", "group", "activity", "subactivity"]):
            qs = qs.filter(level=level)
        if (since := _since(self.request)) is not None:
            qs = qs.filter(pk__in=_changed_since(PlanItem, since))
        return qs.order_by("plan_id", "sort_key", "id")


@extend_schema(parameters=[P_JURISDICTION, P_SINCE], responses={200: ser.AgencySerializer(many=True), **ERRORS},
               description="`updated_since`: agencies changed, or whose lineage changed, at or after that time.")
class AgencyList(ApiView):
    """Agencies of the token's jurisdictions, with aliases and lineage (a token is required)."""
    serializer_class = ser.AgencySerializer
    requires_token = True

    def get_queryset(self):
        qs = (self.reader.agencies().select_related("jurisdiction")
              .prefetch_related("aliases", "successions", "predecessions"))
        if (j := _int(self.request, "jurisdiction")) is not None:
            qs = qs.filter(jurisdiction_id=j)
        if (since := _since(self.request)) is not None:
            qs = qs.filter(Q(pk__in=_changed_since(Agency, since))
                           | Q(pk__in=_changed_since(Succession, since, "predecessor_id"))
                           | Q(pk__in=_changed_since(Succession, since, "successor_id")))
        return qs.order_by("id")


@extend_schema(parameters=[P_PLAN, P_YEAR, P_SINCE], responses={200: ser.CycleSerializer(many=True), **ERRORS})
class CycleList(ApiView):
    """Reporting cycles (`updated_since` compares the creation time)."""
    serializer_class = ser.CycleSerializer

    def get_queryset(self):
        qs = self.reader.cycles().select_related("plan")
        if code := self.request.query_params.get("plan"):
            qs = qs.filter(plan__code=code)
        if (year := _int(self.request, "year", high=9999)) is not None:
            qs = qs.filter(year=year)
        if (since := _since(self.request)) is not None:
            qs = qs.filter(created_at__gte=since)
        return qs.order_by("id")


@extend_schema(parameters=[P_PLAN, P_YEAR, P_AGENCY, P_SINCE,
                           OpenApiParameter("state", str, enum=REPORT_STATES),
                           OpenApiParameter("cycle", int, description="Cycle id.")],
               responses={200: PolymorphicProxySerializer(
                   component_name="ReportOrPublicReport", serializers=[ser.ReportSerializer, ser.PublicReportSerializer],
                   resource_type_field_name=None, many=True), **ERRORS},
               description="Reports in (updated_at, id) order: page through with `updated_since` to sync. "
                           "Without a token: accepted reports of published plans, figures only (no texts, "
                           "amounts or evidence).")
class ReportList(ApiView):
    serializer_class = ser.ReportSerializer  # the schema's shape; answers are written by ser.report_json

    def get_queryset(self):
        qs = self.reader.reports()
        if code := self.request.query_params.get("plan"):
            qs = qs.filter(cycle__plan__code=code)
        if (year := _int(self.request, "year", high=9999)) is not None:
            qs = qs.filter(cycle__year=year)
        if (cycle := _int(self.request, "cycle")) is not None:
            qs = qs.filter(cycle_id=cycle)
        if (agency := _int(self.request, "agency")) is not None:
            qs = qs.filter(agency_id=agency)
        if state := _choice(self.request, "state", REPORT_STATES):
            qs = qs.filter(state=state)
        if (since := _since(self.request)) is not None:
            qs = qs.filter(updated_at__gte=since)
        return qs.order_by("updated_at", "id")

    def get(self, request, *args, **kwargs):
        public = self.reader.is_public
        rows = self.paginate_queryset(self.get_queryset().values(*ser.report_columns(public=public)))
        evidence = {}
        if not public and rows:
            for e in (Attachment.objects.filter(report_id__in=[r["id"] for r in rows])
                      .order_by("uploaded_at", "pk").values(*ser.EVIDENCE_COLUMNS)):
                evidence.setdefault(e["report_id"], []).append(e)
        return self.get_paginated_response(
            [ser.report_json(r, None if public else evidence.get(r["id"], [])) for r in rows])


@extend_schema(parameters=[P_PLAN, P_YEAR, P_AGENCY, P_SINCE,
                           OpenApiParameter("state", str, enum=VALUE_STATES, description="State of the values listed.")],
               responses={200: ser.IndicatorSerializer(many=True), **ERRORS},
               description="A plan's indicators with their targets and the values this client may see. "
                           "`year`, `state` and `updated_since` narrow the values (and list only indicators "
                           "with such a value).")
class IndicatorList(ApiView):
    serializer_class = ser.IndicatorSerializer

    def get_queryset(self):
        reader = self.reader
        values = reader.indicator_values()
        narrowed = False
        if (year := _int(self.request, "year", high=9999)) is not None:
            values, narrowed = values.filter(year=year), True
        if state := _choice(self.request, "state", VALUE_STATES):
            values, narrowed = values.filter(state=state), True
        if (since := _since(self.request)) is not None:
            values, narrowed = values.filter(updated_at__gte=since), True
        qs = reader.plan_indicators(values).select_related("plan", "indicator", "lead_agency")
        if narrowed:
            qs = qs.filter(pk__in=values.values("plan_indicator_id"))
        if code := self.request.query_params.get("plan"):
            qs = qs.filter(plan__code=code)
        if (agency := _int(self.request, "agency")) is not None:
            qs = qs.filter(lead_agency_id=agency)
        return qs.order_by("id")


@extend_schema(responses={200: ser.OfficialReportSerializer, **{k: v for k, v in ERRORS.items() if k != 400}})
class OfficialReportDetail(ApiView):
    """A cycle's current official (signed) report and its verification: reviewers of the plan's
    jurisdiction with a token; anyone for a published plan."""
    serializer_class = ser.OfficialReportSerializer
    pagination_class = None

    def get(self, request, cycle_id):
        official = (self.reader.official_reports().select_related("cycle__plan")
                    .filter(cycle_id=cycle_id).order_by("-stored_at", "-pk").first())
        if official is None:
            raise exceptions.NotFound(_("Kỳ báo cáo này chưa có báo cáo chính thức, hoặc bạn không được xem."))
        return Response(self.get_serializer(official).data)

