"""export_reports --all -o FILE: every report of every plan and cycle as one Excel sheet (the national
export), streamed from the database in openpyxl's write-only mode."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reporting.dashboards.export import all_reports_xlsx


class Command(BaseCommand):
    help = "Xuất toàn bộ báo cáo của mọi kế hoạch, mọi kỳ ra một tệp Excel (.xlsx)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Mọi kế hoạch, mọi kỳ báo cáo (bắt buộc).")
        parser.add_argument("-o", "--output", required=True, help="Tệp .xlsx cần ghi.")

    def handle(self, *args, all=False, output, **options):
        if not all:
            raise CommandError("Hãy dùng --all: hiện chỉ có bản xuất toàn quốc.")
        path = Path(output)
        if path.suffix.lower() != ".xlsx":
            raise CommandError(f"{output}: tên tệp phải kết thúc bằng .xlsx")
        if not path.parent.exists():
            raise CommandError(f"{path.parent}: thư mục không tồn tại")
        tmp = path.with_name(path.name + ".part")
        try:
            n = all_reports_xlsx(tmp)
            tmp.replace(path)
        finally:
            tmp.unlink(missing_ok=True)
        self.stdout.write(f"{n} báo cáo → {path}")
