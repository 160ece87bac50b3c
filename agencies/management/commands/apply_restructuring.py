from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agencies.restructuring import RestructuringError, apply_restructuring


class Command(BaseCommand):
    help = "Áp dụng sắp xếp cơ quan (hợp nhất, đổi tên, chia tách) từ tệp dữ liệu đã rà soát."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        try:
            report = apply_restructuring(Path(path))
        except RestructuringError as exc:
            raise CommandError(str(exc))
        for name in report.created_agencies:
            self.stdout.write(f"Tạo cơ quan: {name}")
        for line in report.successions:
            self.stdout.write(f"Kế thừa: {line}")
        for note in report.notes:
            self.stdout.write(f"Ghi chú: {note}")
        if report.moved_members:
            self.stdout.write(f"Chuyển thành viên sang cơ quan kế thừa: {report.moved_members}")
        self.stdout.write(f"Không đổi: {report.unchanged}")
