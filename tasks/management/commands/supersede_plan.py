"""Record, from a reviewed data file, that a plan is replaced by another and where its activities go."""
import datetime as dt
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tasks.models import Plan
from tasks.supersession import SupersessionError, supersede_plan


class Command(BaseCommand):
    help = ("Ghi việc một kế hoạch được kế hoạch khác thay thế từ một ngày, với bảng chuyển tiếp hoạt động "
            "(mã cũ → mã trong kế hoạch mới, hoặc \"ended\" khi kết thúc), từ tệp JSON đã rà soát. "
            "Sau đó chạy “Cập nhật danh sách báo cáo phải nộp” cho các kỳ báo cáo từ năm đó.")

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        try:
            spec = json.loads(Path(path).read_text(encoding="utf-8"))
            old_plan = Plan.objects.get(code=spec["old_plan"])
            new_plan = Plan.objects.get(code=spec["new_plan"])
            effective_on = dt.date.fromisoformat(spec["effective_on"])
        except (OSError, ValueError) as exc:
            raise CommandError(f"{path}: không đọc được ({exc}).")
        except KeyError as exc:
            raise CommandError(f"{path}: thiếu trường {exc}.")
        except Plan.DoesNotExist:
            raise CommandError(f"{path}: không có kế hoạch “{spec['old_plan']}” hoặc “{spec['new_plan']}”.")
        try:
            supersession = supersede_plan(old_plan=old_plan, new_plan=new_plan, effective_on=effective_on,
                                          mapping=spec.get("activities", {}), legal_basis=spec.get("legal_basis", ""),
                                          note=spec.get("note", ""))
        except SupersessionError as exc:
            raise CommandError(f"{path}: {exc}")
        ended = supersession.mappings.filter(new_item__isnull=True).count()
        self.stdout.write(f"{supersession}: {supersession.mappings.count()} hoạt động chuyển tiếp, {ended} kết thúc.")
