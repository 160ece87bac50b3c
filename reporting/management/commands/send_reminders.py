"""send_reminders [--date YYYY-MM-DD] [--dry-run]: the daily reminder job, run in this process
(not through the broker). A dry run writes and sends nothing and prints one line per reminder
that a real run would send: date, rule, agency, number of recipients, number of items."""
import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reporting.notices import reminders


def _day(value):
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date {value!r}: expected YYYY-MM-DD")


class Command(BaseCommand):
    help = "Gửi các thư nhắc hạn báo cáo của một ngày (mặc định hôm nay), ngay trong tiến trình này."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=_day, default=None, help="Ngày chạy, YYYY-MM-DD (mặc định: hôm nay).")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ liệt kê, không ghi và không gửi gì.")

    def handle(self, *args, date=None, dry_run=False, **options):
        day = date or timezone.localdate()
        if dry_run:
            due = reminders.pending(reminders.collect(day))
            for d in due:
                self.stdout.write(f"{d.scheduled_for:%Y-%m-%d}\t{d.kind}:{d.rule}\t{d.agency_name}\t"
                                  f"recipients={d.recipients}\titems={d.items_count}")
            self.stderr.write(f"{len(due)} reminder(s) would be sent for {day:%Y-%m-%d} (dry run, nothing sent).")
            return
        record = reminders.run(day, inline=True)
        self.stdout.write(f"{day:%Y-%m-%d}: {record.planned} new reminder(s); {record.dispatched} handed to delivery.")
