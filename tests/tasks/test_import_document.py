"""Importing the scanned plan 396 document: counts, flags where the scan is uncertain, idempotence."""
from pathlib import Path

import pytest
from django.conf import settings

from agencies.models import Agency, AgencyAlias
from agencies.text import fold
from tasks.importers.load import import_appendix
from tasks.models import ImportLog, Plan, PlanItem

pytestmark = pytest.mark.django_db
DOCUMENT = Path(settings.BASE_DIR) / "fixtures" / "ke-hoach-396-tang-truong-xanh-2023-2030.txt"


@pytest.fixture
def imported():
    report = import_appendix(DOCUMENT)
    return report, Plan.objects.get(code=report.plan_code)


def _reasons(plan, code):
    return {r["code"] for r in PlanItem.objects.get(plan=plan, code=code).review_reasons}


def test_the_plan_identity_comes_from_the_document(imported):
    _, plan = imported
    assert plan.number == "396/KH-UBND"
    assert plan.jurisdiction.name == "Bình Dương"
    assert (plan.period_start, plan.period_end) == (2023, 2030)
    assert plan.issued_on.isoformat() == "2023-08-04"
    assert plan.focal_agency.name == "Sở Kế hoạch và Đầu tư"


def test_it_finds_18_themes_and_47_task_groups_with_their_activities(imported):
    report, plan = imported
    items = PlanItem.objects.filter(plan=plan)
    assert items.filter(level="theme").count() == 18
    assert items.filter(level="group").count() == 47
    assert items.filter(level="activity").count() > 90
    assert items.filter(level="subactivity").count() > 30
    assert report.counts["themes"] == 18 and report.counts["groups"] == 47
    # every activity hangs under a group of its own theme (but for misplaced duplicates, flagged)
    for act in items.filter(level="activity", needs_review=False).select_related("parent__parent"):
        assert act.parent.level == "group"
        assert act.code.split(".")[0] == act.parent.parent.code


def test_codes_only_the_summary_names_become_items_flagged_missing_from_scan(imported):
    _, plan = imported
    flagged = PlanItem.objects.filter(plan=plan, review_reasons__icontains="missing_from_scan")
    assert flagged.count() >= 5
    item = PlanItem.objects.get(plan=plan, code="12.3.1")
    assert "missing_from_scan" in _reasons(plan, "12.3.1")
    assert item.lead_agency is not None  # the summary says who leads it


def test_a_lead_agency_conflict_keeps_the_tables_agency_and_names_both(imported):
    _, plan = imported
    item = PlanItem.objects.get(plan=plan, code="10.1.1")
    reason = next(r for r in item.review_reasons if r["code"] == "lead_conflict")
    assert item.lead_agency.name == "Sở Giao thông vận tải"
    assert "Sở Giao thông vận tải" in reason["message"] and fold("Sở Công Thương") in fold(reason["message"])


def test_a_code_printed_four_times_is_kept_apart_and_flagged_not_dropped(imported):
    _, plan = imported
    printed = PlanItem.objects.filter(plan=plan, printed_code="1.1.3")
    assert printed.count() >= 2
    assert any("duplicate_code" in {r["code"] for r in it.review_reasons} for it in printed)


def test_a_timeline_outside_the_plan_period_is_kept_and_flagged(imported):
    _, plan = imported
    item = PlanItem.objects.get(plan=plan, code="10.3.2")
    assert (item.start_year, item.end_year) == (2022, 2030)
    assert "timeline_outside_period" in _reasons(plan, "10.3.2")


def test_the_caption_naming_another_province_is_flagged_on_the_plan(imported):
    _, plan = imported
    assert plan.needs_review
    contradictions = [r for r in plan.review_reasons if r["code"] == "province_contradiction"]
    assert contradictions and "Bình Phước" in contradictions[0]["message"]


def test_spelling_variants_make_one_agency_with_aliases(imported):
    _, plan = imported
    names = [fold(n) for n in Agency.objects.filter(jurisdiction=plan.jurisdiction).values_list("name", flat=True)]
    assert len(names) == len(set(names))
    assert names.count(fold("Sở Công Thương")) == 1
    assert AgencyAlias.objects.filter(agency__jurisdiction=plan.jurisdiction).exists()
    groups = Agency.objects.filter(jurisdiction=plan.jurisdiction, is_group=True)
    assert groups.exists() and not groups.filter(kind="department").exists()


def test_clean_rows_are_not_flagged(imported):
    _, plan = imported
    items = PlanItem.objects.filter(plan=plan).exclude(level="theme")
    assert items.filter(needs_review=False).count() > 0.65 * items.count()


def test_importing_the_same_document_again_changes_nothing(imported):
    report, plan = imported
    before = list(PlanItem.objects.filter(plan=plan).order_by("pk").values())
    again = import_appendix(DOCUMENT)
    assert not again.changed and again.unchanged == len(before)
    assert list(PlanItem.objects.filter(plan=plan).order_by("pk").values()) == before
    assert ImportLog.objects.first().status == ImportLog.Status.UNCHANGED


def test_a_dry_run_writes_nothing_but_its_log_entry():
    report = import_appendix(DOCUMENT, dry_run=True)
    assert report.created and not Plan.objects.exists() and not Agency.objects.exists()
    assert ImportLog.objects.get().status == ImportLog.Status.DRY_RUN


def test_the_import_report_lists_every_flag_with_its_line(imported):
    report, plan = imported
    text = report.as_text()
    for code, flag in report.flags:
        assert code in text and flag.message in text
    assert "CƠ QUAN TẠO MỚI" in text
    assert ImportLog.objects.get(plan=plan).report == text


def test_an_item_the_scan_lost_keeps_no_made_up_name_and_its_pages_say_why(imported, client, django_user_model):
    _, plan = imported
    item = PlanItem.objects.get(plan=plan, code="12.3.1")
    assert item.title == ""  # nothing invented enters the data
    assert item.needs_review and "missing_from_scan" in _reasons(plan, "12.3.1")
    assert item.shown_title == "(Chưa có tên mục: bản quét kế hoạch bị thiếu dòng này)"
    client.force_login(django_user_model.objects.create_superuser("quantri", "qt@example.vn", "x"))
    page = client.get(f"/plans/{plan.code}/items/{item.pk}/").content.decode()
    assert "bản quét kế hoạch bị thiếu dòng này" in page and "cần bổ sung" not in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(f"/plans/{plan.code}/items/{item.pk}/").content.decode()
    assert "(No item name: this line is missing from the plan&#x27;s scan)" in page
