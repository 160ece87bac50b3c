"""export_indicators [--plan CODE] --format json|csv [-o FILE]: plan indicators with baselines,
targets, values (every state) and status, as JSON or SDMX-CSV 1.0 (reporting.indicators.export)."""
import json
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from reporting.indicators.export import as_json, write_csv
from tasks.models import Plan


class Command(BaseCommand):
    help = "Xuất chỉ tiêu của kế hoạch (giá trị cơ sở, mục tiêu, số liệu, trạng thái) ra JSON hoặc SDMX-CSV."

    def add_arguments(self, parser):
        parser.add_argument("--plan", help="Mã kế hoạch (ví dụ bd-396); bỏ trống: mọi kế hoạch.")
        parser.add_argument("--format", required=True, choices=["json", "csv"], dest="fmt")
        parser.add_argument("-o", "--output", help="Tệp cần ghi; bỏ trống: ghi ra màn hình.")

    def handle(self, *args, plan=None, fmt, output=None, **options):
        plans = None
        if plan:
            plans = Plan.objects.filter(code=plan)
            if not plans.exists():
                raise CommandError(f"Không có kế hoạch mã “{plan}”.")
        if output and not Path(output).parent.exists():
            raise CommandError(f"{Path(output).parent}: thư mục không tồn tại")
        # The status sentences are written in the site's language, whatever the shell's locale.
        with translation.override(settings.LANGUAGE_CODE):
            if output:
                tmp = Path(output).with_name(Path(output).name + ".part")
                try:
                    with open(tmp, "w", encoding="utf-8", newline="") as out:
                        self._write(out, fmt, plans)
                    tmp.replace(output)
                finally:
                    tmp.unlink(missing_ok=True)
            else:
                self._write(self.stdout, fmt, plans)

    @staticmethod
    def _write(out, fmt, plans):
        if fmt == "json":
            json.dump(as_json(plans), out, ensure_ascii=False, indent=2)
            out.write("\n")
        else:
            write_csv(out, plans)
