"""Everything `make run` needs: the plan imported, the 2025 restructuring (Bình Dương's departments
merged in March, then into Hồ Chí Minh City's in July, their people with them), the city's own
illustrative plan beside the legacy one, demo accounts."""
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from agencies.models import Agency, JurisdictionRole, Membership
from agencies.restructuring import apply_restructuring, find_agency
from tasks.importers.load import import_appendix
from tasks.models import Plan

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
PLAN_XLSX = FIXTURES / "plan-396.xlsx"
PLAN_TEXT = FIXTURES / "ke-hoach-396-tang-truong-xanh-2023-2030.txt"
RESTRUCTURING = FIXTURES / "lineage" / "binh-duong-2025.json"
CITY_RESTRUCTURING = FIXTURES / "lineage" / "binh-duong-hcm-2025-07.json"
DEMO_PASSWORD = "greenplan-demo-2026"

# username, full name, what they are
DEMO_ACCOUNTS = [
    ("admin", "Quản trị hệ thống", "admin", None),
    ("canbo.nnmt", "Nguyễn Văn An", "officer", "Sở Nông nghiệp và Môi trường"),
    ("lanhdao.nnmt", "Trần Thị Bình", "head", "Sở Nông nghiệp và Môi trường"),
    ("canbo.congthuong", "Lê Văn Cường", "officer", "Sở Công Thương"),
    ("lanhdao.congthuong", "Phạm Thị Dung", "head", "Sở Công Thương"),
    ("canbo.xaydung", "Hoàng Văn Em", "officer", "Sở Xây dựng"),
    ("thamdinh", "Võ Thị Giang", "reviewer", None),
    ("lanhdao.tinh", "Đặng Văn Hải", "leader", None),
]


class Command(BaseCommand):
    help = "Nhập kế hoạch 396, áp dụng sắp xếp cơ quan 2025 và tạo tài khoản demo (chạy lại được nhiều lần)."

    def handle(self, *args, **options):
        if not Plan.objects.exists():
            source = PLAN_XLSX if PLAN_XLSX.exists() else PLAN_TEXT
            self.stdout.write(f"Nhập kế hoạch từ {source.name} …")
            report = import_appendix(source)
            self.stdout.write(f"  {report.counts}")
        apply_restructuring(RESTRUCTURING)
        with transaction.atomic():
            self._accounts()
            # Accounts are made where the plan names their departments (Bình Dương's); the July 2025
            # restructuring then moves them, with their departments, to the city's counterparts.
            apply_restructuring(CITY_RESTRUCTURING)
            lines = self._lines()
            # Groups ("Các sở, ban, ngành…") stand for the agencies in force after the restructuring.
            self._groups()
        from reporting.devdata.demo import seed_city_plan, seed_reporting_demo

        plan = Plan.objects.order_by("pk").first()
        seed_city_plan(plan.jurisdiction.current())
        reviewer = get_user_model().objects.get(username="thamdinh")
        stats = seed_reporting_demo(plan, reviewer=reviewer)
        if not stats.get("skipped"):
            self.stdout.write("Dữ liệu báo cáo demo: " + "; ".join(f"{k}: {v}" for k, v in stats.items()))
        self.stdout.write("\n" + "=" * 72)
        self.stdout.write(f"Tài khoản demo (mật khẩu chung: {DEMO_PASSWORD})")
        for line in lines:
            self.stdout.write("  " + line)
        self.stdout.write("=" * 72 + "\n")

    def _groups(self) -> None:
        """The plan's generic supporting groups stand for the agencies their wording names (an admin
        reviews the rows: Cơ quan → a group → its members)."""
        from agencies.groups import fill_group

        for group in Agency.objects.filter(is_group=True).select_related("jurisdiction__merged_into"):
            fill_group(group)

    def _accounts(self) -> list[str]:
        User = get_user_model()
        plan = Plan.objects.select_related("jurisdiction").order_by("pk").first()
        province = plan.jurisdiction
        # Bình Dương is now part of Hồ Chí Minh City: reviewers and leaders are granted there and
        # cover the legacy plan through the jurisdiction's lineage.
        home = province.merged_into or province
        lines = []
        for username, full_name, role, agency_name in DEMO_ACCOUNTS:
            first, _, last = full_name.rpartition(" ")
            user, _ = User.objects.get_or_create(username=username)
            # get_full_name() is "first last": family and middle names first, as Vietnamese write them.
            user.first_name, user.last_name = first, last
            user.is_staff = user.is_superuser = role == "admin"
            user.email = f"{username}@greenplan.local"
            user.set_password(DEMO_PASSWORD)
            user.save()
            what = {"admin": "quản trị", "reviewer": f"thẩm định – {home}", "leader": f"lãnh đạo – {home}"}.get(role, "")
            if agency_name:
                agency = find_agency(province, agency_name) or Agency.objects.create(jurisdiction=province, name=agency_name)
                Membership.objects.update_or_create(
                    user=user, agency=agency,
                    defaults={"role": Membership.Role.HEAD if role == "head" else Membership.Role.OFFICER},
                )
                what = f"{'lãnh đạo' if role == 'head' else 'chuyên viên'} – {agency.name}"
            if role in ("reviewer", "leader"):
                JurisdictionRole.objects.get_or_create(user=user, jurisdiction=home, role=role)
            lines.append(f"{username:<20} {full_name:<18} {what}")
        return lines

    def _lines(self) -> list[str]:
        """The accounts as they stand: each agency account in the agency it works for now."""
        User = get_user_model()
        lines = []
        for username, full_name, role, _agency in DEMO_ACCOUNTS:
            user = User.objects.get(username=username)
            if role in ("officer", "head"):
                m = user.memberships.filter(is_active=True).select_related("agency__jurisdiction").first()
                what = (f"{'lãnh đạo' if role == 'head' else 'chuyên viên'} – {m.agency.name} ({m.agency.jurisdiction})"
                        if m else "—")
            else:
                role_row = user.jurisdiction_roles.select_related("jurisdiction").first()
                what = {"admin": "quản trị", "reviewer": f"thẩm định – {role_row.jurisdiction if role_row else ''}",
                        "leader": f"lãnh đạo – {role_row.jurisdiction if role_row else ''}"}[role]
            lines.append(f"{username:<20} {full_name:<18} {what}")
        return lines
