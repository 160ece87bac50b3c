"""The province report: the same figures in PDF (read back with pdftotext), Word (python-docx)
and Excel (openpyxl); the administrative layout; narrative only from accepted reports (or marked);
the command; and generation from the reviewer's page as a background job."""
import datetime as dt
import io
import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from reporting.province.formats import render_province_report
from reporting.models import ProvinceReportJob, ProvinceReportSettings
from reporting.province.build import DocMeta, build, default_meta, plan_short_name, vn_date_line
from tests.conftest import SECRET_DRAFT

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(scenario):
    meta = default_meta(scenario.cycle, today=dt.date(2026, 12, 5))
    meta.number = "125/BC-STC"
    meta.signer_name = "Trần Văn Ký"
    return build(scenario.cycle, meta)


def pdf_text(data: bytes, tmp_path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "r.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout
    return " ".join(text.split())


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.append(" | ".join(c.text for c in row.cells))
    return " ".join(" ".join(parts).split())


def test_the_heading_follows_decree_30(report, scenario):
    assert report.province_line == "UBND TỈNH BÌNH DƯƠNG"
    assert report.issuing_body == "SỞ TÀI CHÍNH"  # the focal DPI as it is now, through lineage
    assert report.date_line == "Bình Dương, ngày 05 tháng 12 năm 2026"
    assert report.title == "Kết quả thực hiện Kế hoạch hành động về tăng trưởng xanh năm 2026"
    assert report.meta.ministry == "Bộ Tài chính"
    assert vn_date_line("Bình Dương", dt.date(2027, 2, 3)) == "Bình Dương, ngày 03 tháng 02 năm 2027"
    assert vn_date_line("Bình Dương", dt.date(2027, 3, 15)) == "Bình Dương, ngày 15 tháng 3 năm 2027"
    assert plan_short_name("Kế hoạch X giai đoạn 2023 - 2030") == "Kế hoạch X"


def test_the_receiving_ministry_and_defaults_are_configurable_per_plan(scenario):
    ProvinceReportSettings.objects.create(plan=scenario.plan, ministry_name="Bộ Kế hoạch và Đầu tư",
                                          signer_name="Lê Thị Mai", signer_title="PHÓ GIÁM ĐỐC",
                                          signer_authority="KT. GIÁM ĐỐC", number_pattern="  /BC-{abbr}-{year}")
    meta = default_meta(scenario.cycle, today=dt.date(2026, 12, 5))
    assert meta.ministry == "Bộ Kế hoạch và Đầu tư"
    assert meta.recipients[0] == "Bộ Kế hoạch và Đầu tư (để báo cáo);"
    assert meta.number == "  /BC-STC-2026"
    assert (meta.signer_name, meta.signer_authority) == ("Lê Thị Mai", "KT. GIÁM ĐỐC")


def test_narrative_comes_from_accepted_reports_and_marks_the_unreviewed(report):
    results = {r["code"]: r for t in report.themes for r in t.results}
    assert set(results) == {"1.1.1", "1.1.2", "1.2.1", "2.1.2"}  # no draft, no returned report
    assert not results["1.1.1"]["not_reviewed"] and results["1.1.2"]["not_reviewed"]
    funds = next(p for p in report.difficulties if p.text == "Thiếu kinh phí.")
    assert funds.attribution == ("Sở Công Thương, báo cáo mục 1.1.1; "
                                 "Sở Công Thương, báo cáo mục 1.1.2 (chưa thẩm định)")
    assert [p.text for p in report.proposals] == ["Đề nghị bổ sung kinh phí.", "Đề nghị hướng dẫn kỹ thuật."]
    annex = {a.code: a for a in report.annex}
    assert len(annex) == 7 and annex["1.1.3"].percent is None and annex["1.1.3"].result == ""


def test_the_pdf_says_the_same_figures(report, tmp_path):
    data = render_province_report(report, "pdf")
    assert data.startswith(b"%PDF")
    text = pdf_text(data, tmp_path)
    assert "UBND TỈNH BÌNH DƯƠNG" in text and "SỞ TÀI CHÍNH" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert "Số: 125/BC-STC" in text and "Bình Dương, ngày 05 tháng 12 năm 2026" in text
    assert "BÁO CÁO" in text and "Kính gửi: Bộ Tài chính." in text
    assert ("có 7 nhiệm vụ, hoạt động phải báo cáo; đã nhận 4 báo cáo (2 báo cáo đúng hạn, 2 báo cáo nộp muộn), "
            "trong đó 3 báo cáo đã được thẩm định, chấp nhận; còn 3 báo cáo chưa nộp") in text
    assert "tỷ lệ hoàn thành bình quân 45%" in text
    assert "3/5 mục đã báo cáo, 2 mục chưa báo cáo; tiến độ bình quân 60%" in text
    assert "(chưa thẩm định)" in text and SECRET_DRAFT not in text
    assert "Nơi nhận:" in text and "Trần Văn Ký" in text and "Phụ lục" in text
    fonts = subprocess.run(["pdffonts", str(tmp_path / "r.pdf")], capture_output=True, text=True).stdout
    assert "Liberation-Serif" in fonts
    for line in fonts.splitlines()[2:]:
        assert line.split()[-5] == "yes", line  # every font embedded


def test_the_word_file_says_the_same_and_is_a4_in_times_new_roman(report):
    data = render_province_report(report, "docx")
    doc = Document(io.BytesIO(data))
    section = doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert round(section.left_margin.mm) == 32 and round(section.top_margin.mm) == 22
    assert doc.styles["Normal"].font.name == "Times New Roman" and doc.styles["Normal"].font.size.pt == 14
    text = docx_text(data)
    assert "UBND TỈNH BÌNH DƯƠNG" in text and "SỞ TÀI CHÍNH" in text and "Số: 125/BC-STC" in text
    assert "Bình Dương, ngày 05 tháng 12 năm 2026" in text
    assert "đã nhận 4 báo cáo (2 báo cáo đúng hạn, 2 báo cáo nộp muộn)" in text
    assert "1. Chủ đề số 1 | 5 | 3 | 2 | 1 | 1 | 1 | 60%" in text
    assert "Sở Công Thương | 4 | 1 | 1 | 2" in text
    assert "(chưa thẩm định)" in text and SECRET_DRAFT not in text
    assert "Trần Văn Ký" in text


def test_the_word_file_carries_the_three_charts_as_pictures(report):
    doc = Document(io.BytesIO(render_province_report(report, "docx")))
    assert len(doc.inline_shapes) == 3
    text = docx_text(render_province_report(report, "docx"))
    assert "Biểu đồ 1." in text and "Biểu đồ 2." in text and "Biểu đồ 3." in text


def test_the_excel_file_has_themes_agencies_and_all_items(report):
    wb = load_workbook(io.BytesIO(render_province_report(report, "xlsx")))
    assert wb.sheetnames[:4] == ["Tổng quan", "Chủ đề", "Cơ quan", "Tất cả mục"]

    def table(name):
        ws = wb[name]
        header = next(r for r in range(1, 10) if ws.cell(r, 1).value in ("Chỉ tiêu", "Mã", "Cơ quan chủ trì"))
        assert ws.freeze_panes == f"A{header + 1}" and ws.auto_filter.ref
        return [[c.value for c in row] for row in ws.iter_rows(min_row=header + 1)]

    overview = {r[0]: r[1] for r in table("Tổng quan")}
    assert (overview["Phải nộp"], overview["Nộp đúng hạn"], overview["Nộp muộn"], overview["Chưa nộp"]) == (7, 2, 2, 3)
    themes = {r[0]: r for r in table("Chủ đề")}
    assert themes["1"][2:5] == [5, 3, 2] and themes["1"][10] == 60.0
    agencies = {r[0]: r for r in table("Cơ quan")}
    assert agencies["Sở Xây dựng"][1:5] == [3, 1, 1, 1]
    items = {r[0]: r for r in table("Tất cả mục")}
    assert len(items) == 7 and items["1.2.1"][7] == 100
    assert items["1.2.1"][8] == "=SUM(A1:A9) -2 tấn CO2"  # text, not a formula
    assert wb["Tất cả mục"].cell(row=2, column=9).data_type == "s"


def test_the_command_writes_each_format(scenario, tmp_path):
    for fmt in ("pdf", "docx", "xlsx"):
        out = tmp_path / f"r.{fmt}"
        call_command("consolidated_report", "--plan", "bd", "--year", "2026", "--format", fmt, "-o", str(out),
                     "--date", "05/12/2026")
        assert out.stat().st_size > 1000
    assert "Bình Dương, ngày 05 tháng 12 năm 2026" in pdf_text((tmp_path / "r.pdf").read_bytes(), tmp_path)


def test_the_command_refuses_a_missing_cycle(scenario, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("consolidated_report", "--plan", "bd", "--year", "2019", "--format", "pdf",
                     "-o", str(tmp_path / "x.pdf"))


def test_a_reviewer_fills_in_the_form_and_downloads_the_generated_file(eager_jobs, client, scenario,
                                                                       django_capture_on_commit_callbacks):
    client.force_login(scenario.reviewer)
    url = scenario.url("province_report")
    form = client.get(url)
    assert form.status_code == 200
    assert form.context["form"].initial["ministry"] == "Bộ Tài chính"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {
            "number": "7/BC-STC", "date": "05/12/2026", "place": "Bình Dương", "signer_title": "GIÁM ĐỐC",
            "signer_name": "Trần Văn Ký", "signer_authority": "", "ministry": "Bộ Tài chính",
            "recipients": "Bộ Tài chính (để báo cáo);\nLưu: VT.", "format": "docx", "save_defaults": "on",
        })
    job = ProvinceReportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("dashboard:job", args=[job.pk])
    status = client.get(reverse("dashboard:job_json", args=[job.pk])).json()
    assert status["status"] == "done" and status["progress"] == 100 and status["download"]
    download = client.get(status["download"])
    assert download.status_code == 200
    text = docx_text(b"".join(download.streaming_content))
    assert "Số: 7/BC-STC" in text and "Trần Văn Ký" in text
    assert ProvinceReportSettings.objects.get(plan=scenario.plan).signer_name == "Trần Văn Ký"
    assert DocMeta.from_json(job.params).date == dt.date(2026, 12, 5)


def test_leaders_view_but_do_not_generate(client, scenario):
    client.force_login(scenario.leader)
    assert client.get(scenario.url("province_report")).status_code == 403
    assert client.post(scenario.url("province_report"), {}).status_code == 403
    client.force_login(scenario.officer)
    assert client.get(scenario.url("province_report")).status_code == 404


def test_a_job_runs_once_even_if_delivered_twice(eager_jobs, scenario):
    from reporting.province.jobs import generate_province_report, run_job

    meta = default_meta(scenario.cycle, today=dt.date(2026, 12, 5))
    job = ProvinceReportJob.objects.create(cycle=scenario.cycle, format="xlsx", params=meta.as_json())
    assert generate_province_report.delay(job.pk).get() == "done"
    first = ProvinceReportJob.objects.get(pk=job.pk).file_path
    assert run_job(job.pk) is None
    assert ProvinceReportJob.objects.get(pk=job.pk).file_path == first
