"""What one API client may read: the portal's own access functions, narrowed to the token's
jurisdictions. Nothing here decides who sees what; it only asks the modules that do
(reporting.reports.access, agencies.access, Plan/Cycle `for_user`) and intersects with the scope.

- With a token: what its user sees in the portal's pages, within the token's jurisdictions.
- Without a token: what the public pages show (access.public_*: published plans' accepted figures).
"""
from __future__ import annotations

from functools import cached_property

from django.db.models import Prefetch

from agencies.access import agencies_visible_to
from agencies.models import Agency
from greenplan.models import ApiToken
from reporting.models import IndicatorValue, OfficialReport, PlanIndicator, Report, ReportingCycle
from reporting.reports import access
from tasks.models import Plan, PlanItem

from . import tokens


class Reader:
    """One request's client: a token (with its user and scope) or the anonymous public."""

    def __init__(self, token: ApiToken | None):
        self.token = token
        self.user = token.user if token is not None else None

    @property
    def is_public(self) -> bool:
        return self.token is None

    @cached_property
    def scope(self) -> set[int]:
        return tokens.scope_jurisdiction_ids(self.token) if self.token is not None else set()

    def plans(self):
        if self.is_public:
            return access.public_plans(Plan.objects.all())
        return Plan.objects.for_user(self.user).filter(jurisdiction_id__in=self.scope)

    def plan_items(self):
        """The structure of the plans the token sees (the public pages show no item list)."""
        return PlanItem.objects.filter(plan__in=self.plans().values("pk"))

    def agencies(self):
        return agencies_visible_to(Agency.objects.all(), self.user).filter(jurisdiction_id__in=self.scope)

    def cycles(self):
        if self.is_public:
            return ReportingCycle.objects.filter(plan__in=access.public_plans(Plan.objects.all()).values("pk"))
        return ReportingCycle.objects.for_user(self.user).filter(plan__jurisdiction_id__in=self.scope)

    def reports(self):
        if self.is_public:
            return access.public_reports(Report.objects.all())
        return access.reports_visible_to(Report.objects.all(), self.user).filter(
            cycle__plan__jurisdiction_id__in=self.scope)

    def indicator_values(self):
        if self.is_public:
            return access.public_indicator_values(IndicatorValue.objects.all())
        return access.indicator_values_visible_to(IndicatorValue.objects.all(), self.user).filter(
            plan_indicator__plan__jurisdiction_id__in=self.scope)

    def plan_indicators(self, values=None):
        """Plan indicators with their targets and, as `visible_values`, the values this client sees
        (or the narrower `values` given)."""
        if self.is_public:
            qs = PlanIndicator.objects.filter(plan__in=access.public_plans(Plan.objects.all()).values("pk"))
        else:
            qs = access.plan_indicators_visible_to(PlanIndicator.objects.all(), self.user).filter(
                plan__jurisdiction_id__in=self.scope)
        values = (self.indicator_values() if values is None else values).order_by("year", "territory", "pk")
        return qs.prefetch_related("targets", Prefetch("values", queryset=values, to_attr="visible_values"))

    def official_reports(self):
        if self.is_public:
            return access.public_official_reports(OfficialReport.objects.all())
        return access.official_reports_visible_to(OfficialReport.objects.all(), self.user).filter(
            cycle__plan__jurisdiction_id__in=self.scope)
