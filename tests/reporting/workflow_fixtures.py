"""Named people and a small plan for workflow tests: agency A (lead), agency B (other), a
supporting agency S, a reviewer and a leader of the province, a reviewer of another province."""
import datetime as dt
from dataclasses import dataclass

import pytest

from agencies.models import JurisdictionRole, Membership
from reporting.reports.cycles import create_cycles
from reporting.models import Report
from tests.factories import AgencyFactory, JurisdictionFactory, MembershipFactory, UserFactory, build_plan


@dataclass
class World:
    province: object
    agency_a: object
    agency_b: object
    agency_s: object
    officer_a: object
    head_a: object
    officer_b: object
    officer_s: object
    reviewer: object
    leader: object
    foreign_reviewer: object
    plan: object
    cycle: object

    def report_of(self, agency, code=None) -> Report:
        qs = Report.objects.filter(cycle=self.cycle, agency=agency).select_related("cycle", "cycle__plan")
        return qs.get(item__code=code) if code else qs.order_by("item__sort_key").first()


@pytest.fixture
def world(db):
    province = JurisdictionFactory(name="Bình Dương")
    a = AgencyFactory(jurisdiction=province, name="Sở Tài nguyên và Môi trường")
    b = AgencyFactory(jurisdiction=province, name="Sở Công Thương")
    s = AgencyFactory(jurisdiction=province, name="Sở Xây dựng")
    plan = build_plan(jurisdiction=province, themes=1, groups=1, activities=3, lead=a, supporting=[s], code="bd")
    theme = plan.items.get(code="1")
    from tasks.models import PlanItem

    group = PlanItem.objects.create(plan=plan, level="group", code="1.2", parent=theme, title="Nhóm B")
    PlanItem.objects.create(plan=plan, level="activity", code="1.2.1", parent=group, title="Hoạt động của B",
                            lead_agency=b, start_year=2023, end_year=2030)
    cycles = create_cycles(plan, years=[2026])
    cycle = next(c for c in cycles if c.kind == "annual")

    def member(agency, username, role=Membership.Role.OFFICER, **kw):
        return MembershipFactory(agency=agency, user=UserFactory(username=username), role=role, **kw).user

    reviewer, leader, foreign = UserFactory(username="rita"), UserFactory(username="leo"), UserFactory(username="yann")
    JurisdictionRole.objects.create(user=reviewer, jurisdiction=province, role="reviewer")
    JurisdictionRole.objects.create(user=leader, jurisdiction=province, role="leader")
    JurisdictionRole.objects.create(user=foreign, jurisdiction=JurisdictionFactory(name="Đồng Nai"), role="reviewer")
    return World(
        province=province, agency_a=a, agency_b=b, agency_s=s,
        officer_a=member(a, "alice"), head_a=member(a, "hana", Membership.Role.HEAD),
        officer_b=member(b, "bob"), officer_s=member(s, "sam"),
        reviewer=reviewer, leader=leader, foreign_reviewer=foreign, plan=plan, cycle=cycle,
    )


VN_DEADLINE = dt.datetime(2026, 11, 30, 23, 59, 59)
