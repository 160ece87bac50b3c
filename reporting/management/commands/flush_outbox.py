"""flush_outbox: send, in this process, what the notice outbox still holds (queued while the broker
was down, due for a retry, or abandoned by a worker that died)."""
from django.core.management.base import BaseCommand

from reporting.notices import delivery as notices


class Command(BaseCommand):
    help = "Gửi các thông báo còn tồn trong hộp thư đi."

    def handle(self, *args, **options):
        outcome = notices.flush()
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in sorted(outcome.items())) or "outbox empty")
