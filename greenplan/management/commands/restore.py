from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from greenplan.backups import BackupError, restore


class Command(BaseCommand):
    help = "Khôi phục cơ sở dữ liệu và tệp tải lên từ một bản sao lưu (thay thế toàn bộ dữ liệu hiện có)."

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument("--yes", action="store_true", help="không hỏi lại")

    def handle(self, *args, archive, yes=False, **options):
        if not Path(archive).exists():
            raise CommandError(f"Không có tệp {archive}.")
        if not yes and input("Toàn bộ dữ liệu hiện có sẽ bị thay thế. Gõ 'co' để tiếp tục: ").strip().lower() != "co":
            raise CommandError("Đã hủy.")
        try:
            manifest = restore(Path(archive))
        except BackupError as exc:
            raise CommandError(str(exc))
        self.stdout.write(f"Đã khôi phục {sum(manifest['tables'].values())} dòng và {len(manifest['media'])} tệp; "
                          "đã kiểm tra khớp với bản sao lưu.")
