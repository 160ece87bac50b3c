from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from reporting.devdata.synthetic import Size, build


class Command(BaseCommand):
    help = "Tạo bộ dữ liệu giả lập quy mô toàn quốc (xác định, cho benchmark)."

    def add_arguments(self, parser):
        parser.add_argument("--jurisdictions", type=int, default=34)
        parser.add_argument("--agencies", type=int, default=150, help="cơ quan mỗi tỉnh")
        parser.add_argument("--small", action="store_true", help="bộ nhỏ cho CI (2 tỉnh)")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, jurisdictions, agencies, small, seed, **options):
        from tasks.models import Plan

        if Plan.objects.filter(code__startswith="bench-").exists():
            raise CommandError("Cơ sở dữ liệu đã có dữ liệu benchmark; dùng một cơ sở dữ liệu trống.")
        size = Size(jurisdictions=2, agencies_per_jurisdiction=30, themes=3) if small else \
            Size(jurisdictions=jurisdictions, agencies_per_jurisdiction=agencies)
        counts = build(size, seed=seed, stdout=self.stdout)
        # A production database has planner statistics; freshly bulk-loaded tables have none until
        # autovacuum gets round to them, and PostgreSQL then guesses (e.g. a sequential scan of all
        # agencies to find one user's membership). Measure the portal as it runs, not that window.
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
