from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tasks.importers.load import import_appendix
from tasks.importers.service import ImportFailed


class Command(BaseCommand):
    help = "Nhập phụ lục kế hoạch từ văn bản (bản quét) hoặc từ tệp Excel .xlsx."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--plan", help="mã kế hoạch có sẵn để nhập vào")
        parser.add_argument("--dry-run", action="store_true", help="chỉ báo cáo, không ghi gì")
        parser.add_argument("--corrections", help="tệp đính chính đã rà soát (JSON)")

    def handle(self, *args, path, plan=None, dry_run=False, corrections=None, **options):
        try:
            report = import_appendix(Path(path), plan_code=plan, dry_run=dry_run,
                                     corrections=Path(corrections) if corrections else None)
        except ImportFailed as failure:
            raise CommandError("Nhập dữ liệu thất bại, không có gì được ghi:\n" + "\n".join(failure.errors))
        self.stdout.write(report.as_text())
