"""consolidated_report: the province report of one cycle, as PDF, Word or Excel.

    manage.py consolidated_report --plan binh-duong-396-2023 --year 2026 --format pdf -o bao-cao.pdf

    manage.py consolidated_report --year 2026 --format pdf --sign -o bao-cao-da-ky.pdf

Uses the plan's saved defaults (number, signer, recipients, ministry) and today's date; the
same builder as the reviewer's page, so the files are the same. With --sign the report is generated
as a recorded generation (the job the page would queue, run here) and signed with the
organisation's certificate (SIGNING_P12_FILE); the signed file is written to -o and kept as the
cycle's official report (--reason when the cycle already has one).
"""
import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reporting.province.formats import render_province_report
from reporting.models import ReportingCycle
from reporting.province.build import build, default_meta
from tasks.models import Plan


class Command(BaseCommand):
    help = "Tạo báo cáo kết quả thực hiện của một kỳ (PDF, Word hoặc Excel)."

    def add_arguments(self, parser):
        parser.add_argument("--plan", help="Mã kế hoạch (mặc định: kế hoạch duy nhất trong hệ thống).")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--cycle", choices=[c for c, _ in ReportingCycle.Kind.choices], default="annual")
        parser.add_argument("--format", choices=["pdf", "docx", "xlsx"], required=True)
        parser.add_argument("--date", help="Ngày ban hành dd/mm/yyyy (mặc định: hôm nay).")
        parser.add_argument("-o", "--output", required=True, help="Tệp kết quả.")
        parser.add_argument("--sign", action="store_true",
                            help="Ký số bằng chứng thư của cơ quan (SIGNING_P12_FILE); chỉ với PDF.")
        parser.add_argument("--reason", default="", help="Lý do thay thế, khi kỳ đã có báo cáo chính thức.")

    def handle(self, *args, plan=None, year, cycle, format, date, output, sign=False, reason="", **options):
        if sign and format != "pdf":
            raise CommandError("--sign chỉ dùng với --format pdf (chữ ký số PAdES là của tệp PDF).")
        if plan:
            try:
                plan_obj = Plan.objects.get(code=plan)
            except Plan.DoesNotExist:
                raise CommandError(f"Không có kế hoạch mã “{plan}”.")
        else:
            plans = list(Plan.objects.all()[:2])
            if len(plans) != 1:
                raise CommandError("Có nhiều kế hoạch (hoặc không có): chỉ rõ --plan.")
            plan_obj = plans[0]
        try:
            cycle_obj = ReportingCycle.objects.select_related("plan").get(plan=plan_obj, kind=cycle, year=year)
        except ReportingCycle.DoesNotExist:
            raise CommandError(f"Kế hoạch {plan_obj.code} không có kỳ {cycle} năm {year}.")
        meta = default_meta(cycle_obj)
        if date:
            try:
                meta.date = dt.datetime.strptime(date, "%d/%m/%Y").date()
            except ValueError:
                raise CommandError("--date phải có dạng dd/mm/yyyy.")
        if sign:
            self._sign(cycle_obj, meta, output, reason)
            return
        report = build(cycle_obj, meta)
        data = render_province_report(report, format)
        Path(output).write_bytes(data)
        self.stdout.write(f"Đã ghi {output} ({len(data):,} byte).".replace(",", "."))

    def _sign(self, cycle, meta, output, reason):
        from django.core.files.storage import default_storage

        from reporting.models import OfficialReport, ProvinceReportJob
        from reporting.province.official import NEEDS_REASON, needs_reason
        from reporting.province.jobs import run_job
        from reporting.province.signing import is_configured

        if not is_configured():
            raise CommandError("Chưa cấu hình chứng thư số của cơ quan (SIGNING_P12_FILE).")
        if needs_reason(cycle) and not reason.strip():
            raise CommandError(NEEDS_REASON + " Dùng --reason.")
        job = ProvinceReportJob.objects.create(cycle=cycle, format="pdf", params=meta.as_json(), sign=True,
                                               replacement_reason=reason.strip())
        job = run_job(job.pk)
        official = OfficialReport.objects.filter(job=job).first()
        if official is None:
            raise CommandError(job.message)
        with default_storage.open(official.file_path, "rb") as fh:
            data = fh.read()
        Path(output).write_bytes(data)
        self.stdout.write(f"Đã ký và ghi {output} ({len(data):,} byte), SHA-256 {official.sha256}.".replace(",", "."))
