import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from greenplan.backups import BackupError, backup


class Command(BaseCommand):
    help = "Sao lưu cơ sở dữ liệu và các tệp tải lên vào một tệp .tar.gz."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", help="tệp đích (mặc định var/backups/greenplan-THỜI-ĐIỂM.tar.gz)")

    def handle(self, *args, output=None, **options):
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        path = Path(output or Path(settings.BASE_DIR) / "var" / "backups" / f"greenplan-{stamp}.tar.gz")
        try:
            manifest = backup(path)
        except BackupError as exc:
            raise CommandError(str(exc))
        self.stdout.write(f"Đã sao lưu vào {path}: {sum(manifest['tables'].values())} dòng, {len(manifest['media'])} tệp.")
