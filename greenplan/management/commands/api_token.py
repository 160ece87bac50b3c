"""Issue, list and revoke API tokens (greenplan/api/tokens.py).

    python manage.py api_token create USERNAME [--jurisdiction NAME_OR_ID ...] [--name NAME]
    python manage.py api_token list
    python manage.py api_token revoke TOKEN|USERNAME

`create` prints what it made and, on its last line, the token alone (for scripts: `| tail -n1`).
The token is shown this once; only its SHA-256 is kept.
"""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from agencies.models import Jurisdiction
from agencies.text import fold
from greenplan.api import tokens
from greenplan.models import ApiToken


def _jurisdiction(text: str) -> Jurisdiction:
    if text.isdigit():
        found = Jurisdiction.objects.filter(pk=int(text)).first()
    else:
        wanted = fold(text)
        found = next((j for j in Jurisdiction.objects.all() if fold(j.name) == wanted), None)
    if found is None:
        names = ", ".join(Jurisdiction.objects.order_by("name").values_list("name", flat=True))
        raise CommandError(f"--jurisdiction {text!r}: không có tỉnh/thành phố này (có: {names}).")
    return found


class Command(BaseCommand):
    help = "Tạo, liệt kê, thu hồi khóa truy cập API."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Tạo khóa cho một người dùng (in khóa một lần, ở dòng cuối).")
        create.add_argument("username")
        create.add_argument("--jurisdiction", action="append", default=[],
                            help="Tên hoặc mã số tỉnh/thành phố trong phạm vi (lặp lại được). "
                                 "Mặc định: các tỉnh/thành phố của người dùng.")
        create.add_argument("--name", default="", help="Tên khóa, ví dụ hệ thống sẽ dùng nó.")
        sub.add_parser("list", help="Liệt kê các khóa.")
        revoke = sub.add_parser("revoke", help="Thu hồi một khóa, hoặc mọi khóa của một người dùng.")
        revoke.add_argument("target", help="Khóa, hoặc tên đăng nhập.")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _create(self, username, jurisdiction, name, **_):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Không có người dùng {username!r}.")
        scope = [_jurisdiction(j) for j in jurisdiction] if jurisdiction else None
        issued = tokens.issue_token(user=user, name=name, jurisdictions=scope)
        names = ", ".join(j.name for j in issued.token.jurisdictions.order_by("name")) or "(trống: không thấy gì)"
        self.stdout.write(f"Đã tạo khóa #{issued.token.pk} cho {user.username}; phạm vi: {names}.")
        self.stdout.write("Khóa chỉ hiện một lần dưới đây; hệ thống chỉ lưu mã băm của nó.")
        self.stdout.write(issued.key)

    def _list(self, **_):
        rows = ApiToken.objects.select_related("user").prefetch_related("jurisdictions").order_by("pk")
        for t in rows:
            state = f"thu hồi {timezone.localtime(t.revoked_at):%d/%m/%Y %H:%M}" if t.revoked_at else "đang dùng"
            used = f"{timezone.localtime(t.last_used_at):%d/%m/%Y %H:%M}" if t.last_used_at else "chưa dùng"
            scope = ", ".join(j.name for j in t.jurisdictions.all()) or "—"
            self.stdout.write(f"#{t.pk}\t{t.prefix}…\t{t.user.username}\t{t.name or '—'}\t{scope}\t"
                              f"tạo {timezone.localtime(t.created_at):%d/%m/%Y}\tdùng lần cuối: {used}\t{state}")
        if not rows:
            self.stdout.write("Chưa có khóa nào.")

    def _revoke(self, target, **_):
        qs = ApiToken.objects.filter(key_hash=tokens.digest(target))
        what = "khóa"
        if not qs.exists():
            qs = ApiToken.objects.filter(user__username=target)
            what = f"khóa của {target}"
            if not get_user_model().objects.filter(username=target).exists():
                raise CommandError("Không có khóa hay người dùng nào như vậy.")
        n = tokens.revoke(qs)
        self.stdout.write(f"Đã thu hồi {n} {what}.")
