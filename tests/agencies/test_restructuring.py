"""The July 2025 restructuring data: Bình Dương's departments pass to Hồ Chí Minh City's, their
people with them, and the district level ends, its work placed by the admin activity by activity."""
import datetime as dt
import json
from pathlib import Path

import pytest
from django.conf import settings

from agencies.lineage import Lineage, name_with_successor
from agencies.models import Agency, Jurisdiction, Membership, Succession
from agencies.restructuring import RestructuringError, apply_restructuring
from tests.factories import AgencyFactory, JurisdictionFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
LINEAGE = Path(settings.BASE_DIR) / "fixtures" / "lineage"


@pytest.fixture
def binh_duong_after_march():
    """Bình Dương's departments as the March 2025 file leaves them, and two of their people."""
    bd = JurisdictionFactory(name="Bình Dương")
    for name in ("Sở Kế hoạch và Đầu tư", "Sở Tài chính", "Sở Tài nguyên và Môi trường", "Sở Công Thương",
                 "Văn phòng UBND tỉnh"):
        AgencyFactory(jurisdiction=bd, name=name)
    AgencyFactory(jurisdiction=bd, name="Các huyện, thị xã, thành phố", kind=Agency.Kind.GROUP, is_group=True)
    apply_restructuring(LINEAGE / "binh-duong-2025.json")
    env = Agency.objects.get(jurisdiction=bd, name="Sở Nông nghiệp và Môi trường")
    an = UserFactory(username="an")
    MembershipFactory(user=an, agency=env, role=Membership.Role.HEAD, can_submit=True)
    return bd, env, an


def test_each_department_passes_to_the_citys_counterpart_and_its_people_move_with_it(binh_duong_after_march):
    bd, env, an = binh_duong_after_march
    report = apply_restructuring(LINEAGE / "binh-duong-hcm-2025-07.json")
    city = Jurisdiction.objects.get(name="Hồ Chí Minh")
    city_env = Agency.objects.get(jurisdiction=city, name="Sở Nông nghiệp và Môi trường")
    assert Succession.objects.get(predecessor=env, successor=city_env).effective_on == dt.date(2025, 7, 1)
    assert report.moved_members == 1
    moved = an.memberships.get(is_active=True)
    assert (moved.agency, moved.role, moved.can_submit) == (city_env, Membership.Role.HEAD, True)
    # From Sở Kế hoạch và Đầu tư to the city's Sở Tài chính, by the day.
    dpi = Agency.objects.get(jurisdiction=bd, name="Sở Kế hoạch và Đầu tư")
    lineage = Lineage.load()
    city_finance = Agency.objects.get(jurisdiction=city, name="Sở Tài chính")
    assert lineage.responsible(dpi.pk, 2025, on=dt.date(2025, 6, 30)).agency_id != city_finance.pk
    assert lineage.responsible(dpi.pk, 2025, on=dt.date(2025, 7, 1)).agency_id == city_finance.pk
    old = Agency.objects.get(jurisdiction=bd, name="Sở Tài nguyên và Môi trường")
    assert name_with_successor(old, on=dt.date(2026, 1, 1)) == (
        "Sở Tài nguyên và Môi trường (nay: Sở Nông nghiệp và Môi trường)")
    assert name_with_successor(old, on=dt.date(2024, 1, 1)) == "Sở Tài nguyên và Môi trường"
    # Applying the reviewed file again changes nothing.
    again = apply_restructuring(LINEAGE / "binh-duong-hcm-2025-07.json")
    assert (again.successions, again.created_agencies, again.moved_members) == ([], [], 0)


def test_the_district_level_ends_and_the_admin_places_its_work_per_activity(binh_duong_after_march):
    from reporting.models import Report
    from reporting.reports.cycles import create_cycles
    from tasks.models import PlanItem, SplitDecision
    from tests.factories import PlanFactory

    bd, env, an = binh_duong_after_march
    apply_restructuring(LINEAGE / "binh-duong-hcm-2025-07.json")
    districts = Agency.objects.get(jurisdiction=bd, name="Các huyện, thị xã, thành phố")
    city_pc = Agency.objects.get(name="Ủy ban nhân dân Thành phố Hồ Chí Minh")
    assert districts.active_to == dt.date(2025, 6, 30)
    plan = PlanFactory(jurisdiction=bd, code="bd")
    theme = PlanItem.objects.create(plan=plan, level="theme", code="1", title="Chủ đề 1")
    group = PlanItem.objects.create(plan=plan, level="group", code="1.1", parent=theme, title="Nhóm 1.1")
    item = PlanItem.objects.create(plan=plan, level="activity", code="1.1.1", parent=group, title="Hoạt động",
                                   lead_agency=districts, start_year=2023, end_year=2030)
    cycle = next(c for c in create_cycles(plan, years=[2026]) if c.kind == "annual")
    assert Report.objects.get(cycle=cycle, item=item).agency is None  # undecided: listed as unassigned
    SplitDecision.objects.create(item=item, predecessor=districts, successor=city_pc)
    from reporting.reports.cycles import materialize_reports

    materialize_reports(cycle)
    assert Report.objects.get(cycle=cycle, item=item).agency == city_pc


def test_a_change_without_predecessors_is_refused_and_nothing_is_written(tmp_path, binh_duong_after_march):
    spec = json.loads((LINEAGE / "binh-duong-hcm-2025-07.json").read_text(encoding="utf-8"))
    spec["changes"].append({"kind": "merge", "effective_on": "2025-07-01", "predecessors": [], "successor": "Sở Y tế"})
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    before = Succession.objects.count()
    with pytest.raises(RestructuringError) as err:
        apply_restructuring(path)
    assert "thay đổi 13" in str(err.value)
    assert Succession.objects.count() == before and not Agency.objects.filter(jurisdiction__name="Hồ Chí Minh").exists()
