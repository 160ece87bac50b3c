import json
import sys

from django.core.management.base import BaseCommand, CommandError

from tasks.exports import plan_json, plan_template_xlsx, plan_xlsx
from tasks.models import Plan


class Command(BaseCommand):
    help = "Xuất kế hoạch ra JSON hoặc Excel .xlsx (đúng định dạng nhập)."

    def add_arguments(self, parser):
        parser.add_argument("--plan", help="mã kế hoạch (bỏ trống nếu chỉ có một kế hoạch)")
        parser.add_argument("--format", choices=["json", "xlsx"])
        parser.add_argument("--template", action="store_true",
                            help="mẫu nhập liệu trống (.xlsx, có hướng dẫn và ví dụ) để điền một kế hoạch mới")
        parser.add_argument("-o", "--output", help="tệp ghi ra (mặc định: màn hình, chỉ với json)")

    def handle(self, *args, plan=None, format=None, template=False, output=None, **options):
        if template:
            # The template is a workbook: --template implies xlsx and needs no plan.
            if format == "json" or plan:
                raise CommandError("--template chỉ xuất mẫu .xlsx trống, không dùng cùng --format json hay --plan.")
            if not output:
                raise CommandError("Cần -o TỆP khi xuất mẫu, ví dụ: export_plan --template -o plan-mau.xlsx")
            with open(output, "wb") as fh:
                fh.write(plan_template_xlsx())
            self.stderr.write(f"Đã ghi {output}")
            return
        if format is None:
            raise CommandError("Cần --format json hoặc --format xlsx (hoặc --template để xuất mẫu nhập liệu).")
        plan_obj = pick_plan(plan)
        if format == "json":
            text = json.dumps(plan_json(plan_obj), ensure_ascii=False, indent=2, sort_keys=False) + "\n"
            if output:
                with open(output, "w", encoding="utf-8") as fh:
                    fh.write(text)
            else:
                sys.stdout.write(text)
        else:
            if not output:
                raise CommandError("Cần -o TỆP khi xuất .xlsx.")
            with open(output, "wb") as fh:
                fh.write(plan_xlsx(plan_obj))
        if output:
            self.stderr.write(f"Đã ghi {output}")


def pick_plan(code: str | None) -> Plan:
    if code:
        try:
            return Plan.objects.select_related("jurisdiction", "focal_agency").get(code=code)
        except Plan.DoesNotExist:
            raise CommandError(f"Không có kế hoạch mã “{code}”. Có: {', '.join(Plan.objects.values_list('code', flat=True)) or 'chưa có'}.")
    plans = list(Plan.objects.select_related("jurisdiction", "focal_agency")[:2])
    if len(plans) != 1:
        raise CommandError("Hãy chọn kế hoạch bằng --plan MÃ." if plans else "Chưa có kế hoạch nào.")
    return plans[0]
