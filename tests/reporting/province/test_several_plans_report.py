"""The province report of a jurisdiction with several plans, and of a legacy plan after the merger:
issued by the jurisdiction and focal agency of the report's date, not the plan's old province."""
import datetime as dt

import pytest

from reporting.models import ProvinceReportSettings, Report
from reporting.province.build import build, default_meta
from reporting.province.formats import render_province_report
from reporting.reports.cycles import create_cycles, create_jurisdiction_cycle
from tests.reporting.province.test_formats import docx_text, pdf_text

LEGACY = "Kế hoạch 396/KH-UBND của UBND tỉnh Bình Dương (cũ)"
CITY_PLAN = "Kế hoạch 3797/QĐ-UBND của UBND thành phố Hồ Chí Minh"
DAY = dt.date(2026, 12, 5)


def _accept(cycle, plan, code, percent):
    Report.objects.filter(cycle=cycle, item__plan=plan, item__code=code).update(
        state="accepted", status="on_schedule", percent_complete=percent, results=f"Kết quả {plan.number} {code}.",
        submitted_at=dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc))


@pytest.fixture
def city_cycle(merged_city):
    cycle = create_jurisdiction_cycle(merged_city.city, 2026)
    _accept(cycle, merged_city.legacy_plan, "1.1.2", 80)
    _accept(cycle, merged_city.city_plan, "1.1.1", 40)
    return cycle


def test_the_consolidated_2026_report_of_the_city_has_a_section_per_plan_and_totals(merged_city, city_cycle, tmp_path):
    r = build(city_cycle, default_meta(city_cycle, today=DAY))
    assert [s.name for s in r.sections] == [CITY_PLAN, LEGACY]
    by_name = {s.name: s for s in r.sections}
    assert (by_name[LEGACY].headline["due"], by_name[LEGACY].headline["submitted"]) == (3, 1)
    assert (by_name[CITY_PLAN].headline["due"], by_name[CITY_PLAN].headline["submitted"]) == (1, 1)
    assert (r.headline["due"], r.headline["submitted"], r.headline["mean_text"]) == (4, 2, "60%")
    assert [a.code for a in by_name[LEGACY].annex] == ["1.1.1", "1.1.2", "1.1.3"]
    assert [res["text"] for t in by_name[CITY_PLAN].themes for res in t.results] == ["Kết quả 3797/QĐ-UBND 1.1.1."]
    assert "3797/QĐ-UBND" in r.title and "396/KH-UBND" in r.title
    text = pdf_text(render_province_report(r, "pdf"), tmp_path)
    assert "Bảng 1a" in text and LEGACY in text and CITY_PLAN in text and "Tổng cộng" in text
    word = docx_text(render_province_report(r, "docx"))
    assert f"{LEGACY} | 3 | 1" in word and "Tổng cộng | 4 | 2" in word


def test_the_one_plan_view_of_the_city_cycle_still_works(merged_city, city_cycle, tmp_path):
    r = build(city_cycle, default_meta(city_cycle, today=DAY), plan=merged_city.legacy_plan)
    assert r.sections == [] and r.plan == merged_city.legacy_plan and r.plan_name == LEGACY
    assert (r.headline["due"], r.headline["submitted"]) == (3, 1)
    assert [a.code for a in r.annex] == ["1.1.1", "1.1.2", "1.1.3"]
    assert r.title == "Kết quả thực hiện Kế hoạch hành động về tăng trưởng xanh năm 2026"
    assert r.filename_stem == "bao-cao-bd-396-hang-nam-2026"
    assert LEGACY in pdf_text(render_province_report(r, "pdf"), tmp_path)


def test_a_2026_report_on_the_legacy_plan_is_issued_by_the_city_and_its_finance_department(merged_city, tmp_path):
    plan = merged_city.legacy_plan
    # A place saved while Bình Dương issued the reports is not carried past the merger.
    ProvinceReportSettings.objects.create(plan=plan, place="Bình Dương")
    cycle = next(c for c in create_cycles(plan, years=[2026]) if c.kind == "annual")
    meta = default_meta(cycle, today=DAY)
    assert meta.place == "Thành phố Hồ Chí Minh"
    r = build(cycle, meta)
    assert r.province_line == "UBND THÀNH PHỐ HỒ CHÍ MINH"
    assert r.issuing_body == "SỞ TÀI CHÍNH" and r.issuing_body_name == "Sở Tài chính"
    assert r.date_line == "Thành phố Hồ Chí Minh, ngày 05 tháng 12 năm 2026"
    assert r.plan_name == LEGACY
    data = render_province_report(r, "pdf")
    text = pdf_text(data, tmp_path)
    assert "UBND TỈNH BÌNH DƯƠNG" not in text and LEGACY in text
    # The heading's two columns, read apart (the city's name wraps within its column).
    assert heading_column(data, tmp_path, x=0, width=265).startswith("UBND THÀNH PHỐ HỒ CHÍ MINH SỞ TÀI CHÍNH Số:")
    assert "Thành phố Hồ Chí Minh, ngày 05 tháng 12 năm 2026" in heading_column(data, tmp_path, x=265, width=330)


def heading_column(data, tmp_path, *, x, width):
    """The text of the first page's heading, within one column (points from the left edge)."""
    import subprocess

    path = tmp_path / "heading.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-x", str(x), "-y", "0", "-W", str(width), "-H", "150",
                          str(path), "-"], capture_output=True, check=True, text=True).stdout
    return " ".join(out.split())


def test_a_report_dated_before_the_merger_is_still_issued_by_the_province(merged_city):
    plan = merged_city.legacy_plan
    cycle = next(c for c in create_cycles(plan, years=[2024]) if c.kind == "annual")
    r = build(cycle, default_meta(cycle, today=dt.date(2025, 6, 30)))
    assert r.province_line == "UBND TỈNH BÌNH DƯƠNG"
    assert r.date_line == "Bình Dương, ngày 30 tháng 6 năm 2025"
    assert r.plan_name == "Kế hoạch 396/KH-UBND của UBND tỉnh Bình Dương"


def test_the_city_reviewer_generates_the_report_of_one_plan_or_of_all(eager_jobs, client, merged_city, city_cycle,
                                                                       django_capture_on_commit_callbacks):
    from django.urls import reverse

    from reporting.models import ProvinceReportJob
    from tests.factories import JurisdictionRoleFactory

    client.force_login(JurisdictionRoleFactory(jurisdiction=merged_city.city, role="reviewer").user)
    url = reverse("dashboard:province_report", args=[city_cycle.pk])
    form = client.get(url)
    assert form.context["form"].initial["place"] == "Thành phố Hồ Chí Minh"
    assert [c for c, _label in form.context["form"].fields["plan"].choices] == ["", "hcm-3797", "bd-396"]
    fields = {"number": "7/BC-STC", "date": "05/12/2026", "place": "Thành phố Hồ Chí Minh", "signer_title": "GIÁM ĐỐC",
              "signer_name": "", "signer_authority": "", "ministry": "Bộ Tài chính", "recipients": "Lưu: VT.",
              "format": "docx"}
    texts = {}
    for scope in ("", "bd-396"):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url, {**fields, "plan": scope})
        job = ProvinceReportJob.objects.latest("pk")
        status = client.get(reverse("dashboard:job_json", args=[job.pk])).json()
        assert status["status"] == "done", status
        texts[scope] = docx_text(b"".join(client.get(status["download"]).streaming_content))
    assert "Bảng 1a" in texts[""] and CITY_PLAN in texts[""] and LEGACY in texts[""]
    assert "Bảng 1a" not in texts["bd-396"] and CITY_PLAN not in texts["bd-396"] and LEGACY in texts["bd-396"]
    assert "UBND THÀNH PHỐ HỒ CHÍ MINH" in texts["bd-396"]
