"""Hardening: production headers and cookies, a CSP without inline script, login throttling,
password rules, admin control of accounts, session expiry, quiet logs, secrets from the
environment, private evidence files, and spreadsheets that never turn text into formulas.

(`manage.py check --deploy` and malformed variables are covered by tests/test_infrastructure.py.)
"""
from __future__ import annotations

import datetime as dt
import io
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from reporting.reports import workflow
from reporting.models import Attachment, Report
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE)
EVENT_ATTRIBUTE = re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", re.IGNORECASE)


def production_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DEBUG", "SECRET_KEY", "SECRET_KEY_FILE", "SECURE_COOKIES", "SECURE_SSL_REDIRECT",
                        "SECURE_HSTS_SECONDS", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(DJANGO_SETTINGS_MODULE="greenplan.settings", PYTHONDONTWRITEBYTECODE="1", DEBUG="0",
               SECRET_KEY="k" * 20 + "-production-test-key-0123456789abcdef")
    env.update(extra)
    return env


def settings_in_subprocess(code: str, **env) -> str:
    """Run `code` after django.setup() with production variables; return its stdout."""
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()\nfrom django.conf import settings\n" + code],
                            cwd=ROOT, env=production_env(**env), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


# --- production headers and cookies ------------------------------------------------------------------


def test_production_settings_turn_every_protection_on():
    out = settings_in_subprocess(
        "print(settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.SECURE_SSL_REDIRECT,"
        " settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, settings.SESSION_COOKIE_HTTPONLY,"
        " settings.X_FRAME_OPTIONS, settings.SECURE_CONTENT_TYPE_NOSNIFF, settings.DEBUG)")
    assert out == "True True True 31536000 True True DENY True False"


@pytest.fixture
def production(settings):
    """What production runs with (the suite's autouse fixture turns these off for plain HTTP)."""
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = settings.SECURE_HSTS_PRELOAD = True
    return settings


def test_https_responses_carry_hsts_csp_and_frame_denial(production, world):
    client = Client()
    client.force_login(world.officer_a)
    for url in (reverse("login"), reverse("tasks:plan_list"), reverse("reporting:report", args=[world.report_of(world.agency_a).pk])):
        response = client.get(url, secure=True)
        assert response.status_code in (200, 302), url
        assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        csp = response["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp


def test_plain_http_is_redirected_to_https_except_the_health_check(production):
    client = Client()
    response = client.get(reverse("login"))
    assert response.status_code == 301 and response["Location"].startswith("https://")
    assert client.get(reverse("healthz")).status_code == 200


def test_login_sets_secure_httponly_cookies(production, world):
    client = Client()
    page = client.get(reverse("login"), secure=True)
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"]
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD}, secure=True)
    assert response.status_code == 302
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert int(session["max-age"]) == settings.SESSION_COOKIE_AGE


# --- content security policy: no inline script anywhere -----------------------------------------------


def _directives(csp: str) -> dict:
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in csp.split(";")) if part}


def test_csp_allows_no_inline_or_eval_script():
    d = _directives(settings.CONTENT_SECURITY_POLICY)
    scripts = d.get("script-src", d.get("default-src"))
    assert scripts == ["'self'"]
    assert "'unsafe-inline'" not in settings.CONTENT_SECURITY_POLICY
    assert "'unsafe-eval'" not in settings.CONTENT_SECURITY_POLICY
    assert d["frame-ancestors"] == ["'none'"] and d["object-src" if "object-src" in d else "default-src"] == ["'self'"]


def test_no_template_has_inline_script_or_event_handler_attributes():
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = path.read_text()
        for pattern in (INLINE_SCRIPT, EVENT_ATTRIBUTE, re.compile(r"javascript:", re.IGNORECASE)):
            for m in pattern.finditer(text):
                offenders.append(f"{path.relative_to(ROOT)}: {m.group(0)[:60]}")
    assert not offenders, offenders
    # Rendered pages are scanned too, by the permission matrix (tests/security/test_permission_matrix.py).


def test_every_portal_page_gets_the_csp_header(client, world):
    client.force_login(world.reviewer)
    for url in (reverse("login"), reverse("reporting:queue"), reverse("dashboard:cycle", args=[world.cycle.pk]),
                reverse("healthz")):
        assert client.get(url)["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY, url


def test_the_admin_gets_a_policy_too_that_forbids_framing_and_foreign_scripts(client):
    client.force_login(_admin(None))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200 and response["X-Frame-Options"] == "DENY"
    d = _directives(response["Content-Security-Policy"])
    assert d["frame-ancestors"] == ["'none'"] and d["object-src"] == ["'none'"] and d["form-action"] == ["'self'"]
    assert "'self'" in d["script-src"] and not [s for s in d["script-src"] if s.startswith(("http", "*", "data:"))]


# --- login throttling and passwords ----------------------------------------------------------------------


def test_five_failures_lock_the_account_with_a_vietnamese_page(client, world):
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"username": "alice", "password": "sai-mat-khau"})
        assert response.status_code == 200
        assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()
    locked = client.post(url, {"username": "alice", "password": "sai-mat-khau"})
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "Tài khoản tạm thời bị khóa" in text and "5 lần" in text
    assert not INLINE_SCRIPT.search(text)
    # Now even the right password is refused, while another user from the same address is not.
    again = client.post(url, {"username": "alice", "password": PASSWORD})
    assert again.status_code == 429 and "_auth_user_id" not in client.session
    other = Client().post(url, {"username": "hana", "password": PASSWORD})
    assert other.status_code == 302


@pytest.mark.parametrize("password", ["1234567890", "password123", "alice-nguyen", "ngắn-9"])
def test_weak_passwords_are_refused(password):
    user = get_user_model()(username="alice-nguyen", first_name="Alice", email="alice@so-tnmt.gov.vn")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_a_long_unusual_password_is_accepted():
    user = get_user_model()(username="alice")
    validate_password("Rừng-ngập-mặn-Cần-Giờ-2026", user)


def _admin(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", "Gốc-quản-trị-rất-dài-1")


def test_an_admin_resets_a_users_password_and_a_weak_one_is_refused(client, world):
    client.force_login(_admin(None))
    url = reverse("admin:auth_user_password_change", args=[world.officer_a.pk])
    weak = client.post(url, {"password1": "12345678", "password2": "12345678", "usable_password": "true"})
    assert weak.status_code == 200 and weak.context["form"].errors
    new = "Mật-khẩu-mới-của-Alice-77"
    done = client.post(url, {"password1": new, "password2": new, "usable_password": "true"})
    assert done.status_code == 302
    login = Client().post(reverse("login"), {"username": "alice", "password": new})
    assert login.status_code == 302
    assert Client().post(reverse("login"), {"username": "alice", "password": PASSWORD}).status_code == 200


def _change_form_data(response) -> dict:
    """The admin change form's current values, as the browser would post them back."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms.append(formset.management_form)
        forms += list(formset.forms)
    for form in forms:
        for name, bound in form.fields.items():
            value = form[name].value()
            key = form.add_prefix(name)
            if value is None or value is False:
                continue
            if isinstance(value, (list, tuple)):
                data[key] = [str(v) for v in value]
            elif isinstance(value, dt.datetime):
                local = timezone.localtime(value)
                data[key + "_0"], data[key + "_1"] = local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")
            else:
                data[key] = "on" if value is True else str(value)
    return data


def test_an_admin_deactivates_a_user_who_then_cannot_log_in(client, world):
    alice = world.officer_a
    logged_in = Client()
    logged_in.force_login(alice)
    client.force_login(_admin(None))
    url = reverse("admin:auth_user_change", args=[alice.pk])
    data = _change_form_data(client.get(url))
    assert data.pop("is_active") == "on"
    response = client.post(url, data)
    assert response.status_code == 302, getattr(response, "context", None) and response.context["adminform"].form.errors
    alice.refresh_from_db()
    assert not alice.is_active
    assert Client().post(reverse("login"), {"username": "alice", "password": PASSWORD}).status_code == 200
    # A session opened before is no longer honoured.
    assert logged_in.get(reverse("tasks:plan_list")).status_code == 302


# --- sessions expire ----------------------------------------------------------------------------------------


def test_sessions_last_a_working_day_and_an_expired_one_goes_to_login(client, world):
    assert 0 < settings.SESSION_COOKIE_AGE <= 12 * 3600
    client.force_login(world.officer_a)
    assert client.get(reverse("tasks:plan_list")).status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(reverse("tasks:plan_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# --- logs carry no secrets ----------------------------------------------------------------------------------


class Capture(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines = []
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))

    def emit(self, record):
        text = self.format(record)
        self.lines.append(text + repr(getattr(record, "request", "")) + repr(record.args))


@pytest.fixture
def captured_logs():
    """Every record that reaches the root logger under the project's LOGGING configuration."""
    handler = Capture()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)


def test_logs_carry_no_passwords_tokens_or_report_contents(client, world, captured_logs, monkeypatch):
    secret_password = "Mật-khẩu-bí-mật-XYZ-991"
    report_text = "Nội dung báo cáo đặc biệt QWE-314"
    # A failed login (axes logs it).
    Client().post(reverse("login"), {"username": "alice", "password": secret_password})
    # A report saved with distinctive text.
    client.force_login(world.officer_a)
    report = world.report_of(world.agency_a)
    saved = client.post(reverse("reporting:save", args=[report.pk]),
                        {"results": report_text, "status": "on_schedule", "percent_complete": "30", "base_version": "0"})
    assert saved.status_code == 302
    assert Report.objects.get(pk=report.pk).results == report_text
    # A server error while the same text is posted.
    monkeypatch.setattr(workflow, "report_save", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
    client.raise_request_exception = False
    failed = client.post(reverse("reporting:save", args=[report.pk]),
                         {"results": report_text, "status": "on_schedule", "percent_complete": "30",
                          "base_version": "1", "password": secret_password})
    assert failed.status_code == 500
    text = "\n".join(captured_logs.lines)
    assert "boom" in text  # the error itself is logged...
    session_key = client.session.session_key
    for secret in (secret_password, report_text, session_key, settings.SECRET_KEY):
        assert secret not in text, f"{secret!r} appears in the logs"


# --- secrets from the environment or files -------------------------------------------------------------------


def test_secret_key_comes_from_the_environment_or_a_file(tmp_path):
    assert settings_in_subprocess("print(settings.SECRET_KEY)", SECRET_KEY="from-the-environment-" + "x" * 40) == \
        "from-the-environment-" + "x" * 40
    secret = tmp_path / "secret_key"
    secret.write_text("from-a-docker-secret-" + "y" * 40 + "\n")
    assert settings_in_subprocess("print(settings.SECRET_KEY)", SECRET_KEY_FILE=str(secret)) == \
        "from-a-docker-secret-" + "y" * 40


def test_production_without_a_secret_key_fails_the_deploy_check():
    env = production_env()
    env.pop("SECRET_KEY")
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "security.W009" in result.stdout + result.stderr


def test_no_secret_is_written_in_the_settings_module():
    text = (ROOT / "greenplan" / "settings.py").read_text()
    assert not re.search(r"(PASSWORD|SECRET|TOKEN)\w*\s*=\s*['\"][^'\"]{8,}['\"]", text.replace(
        '_INSECURE_KEY = "django-insecure-greenplan-local-only"', ""))
    assert "django-insecure" in text  # the only embedded key is the marked development one


# --- evidence files: outside the web root, random names, checked and size-limited ----------------------------


def _upload(client, report, name, content, content_type="application/pdf"):
    return client.post(reverse("reporting:attachment_upload", args=[report.pk]),
                       {"file": SimpleUploadedFile(name, content, content_type=content_type)})


def test_evidence_is_stored_outside_the_web_root_under_a_random_name_and_not_served_directly(client, world):
    media = Path(settings.MEDIA_ROOT).resolve()
    for public in (Path(settings.STATIC_ROOT).resolve(), *(Path(d).resolve() for d in settings.STATICFILES_DIRS),
                   ROOT / "templates"):
        assert not media.is_relative_to(public) and not public.is_relative_to(media)
    assert Path(settings.BASE_DIR / "var" / "media").resolve() not in Path(settings.STATIC_ROOT).resolve().parents
    client.force_login(world.officer_a)
    report = world.report_of(world.agency_a)
    _upload(client, report, "../../static/js/report.js.pdf", PDF)
    attachment = Attachment.objects.get(report=report)
    assert re.fullmatch(rf"evidence/{report.cycle_id}/[0-9a-f]{{32}}\.pdf", attachment.file.name)
    assert attachment.original_name == "report.js.pdf"
    assert Path(attachment.file.path).resolve().is_relative_to(media)
    # Neither the media URL nor the static URL serves it: only the permission-checked view does.
    assert client.get(settings.MEDIA_URL + attachment.file.name).status_code == 404
    assert client.get(settings.STATIC_URL + attachment.file.name).status_code == 404
    assert client.get(reverse("reporting:attachment_download", args=[attachment.pk])).status_code == 200


def test_evidence_is_judged_by_content_and_size(client, world, settings):
    client.force_login(world.officer_a)
    report = world.report_of(world.agency_a)
    _upload(client, report, "bao-cao.pdf", b"<html><script>alert(1)</script></html>")
    _upload(client, report, "bao-cao.pdf", b"MZ\x90\x00" + b"\x00" * 100)
    assert not Attachment.objects.filter(report=report).exists()
    settings.MAX_UPLOAD_BYTES = 1024
    _upload(client, report, "lon.pdf", PDF + b"0" * 2048)
    assert not Attachment.objects.filter(report=report).exists()
    _upload(client, report, "nho.pdf", PDF)
    assert Attachment.objects.filter(report=report).count() == 1


# --- spreadsheets: text stays text ---------------------------------------------------------------------------

FORMULAS = ("=1+1", "+1+1", "-1+1", "@SUM(A1)", "=HYPERLINK(\"http://evil.example\",\"x\")")


def _all_cells(data: bytes):
    wb = load_workbook(io.BytesIO(data))
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def _assert_text(data: bytes, values):
    cells = _all_cells(data)
    assert not [c.coordinate for c in cells if c.data_type == "f"], "a formula cell was written"
    for value in values:
        hits = [c for c in cells if c.value == value]
        assert hits and all(c.data_type == "s" for c in hits), f"{value!r} is not a text cell"


def test_the_plan_export_writes_text_cells_and_round_trips_exactly(world, tmp_path):
    from tasks.exports import plan_xlsx
    from tasks.importers.load import import_appendix
    from tasks.models import PlanItem

    # Factory-built items have no source file: one import gives them the provenance an imported plan has.
    first = tmp_path / "plan.xlsx"
    first.write_bytes(plan_xlsx(world.plan))
    import_appendix(first)
    items = list(PlanItem.objects.filter(plan=world.plan, level="activity").order_by("sort_key"))
    for item, title in zip(items, FORMULAS):
        item.title = title
        item.save()
    items[0].expected_outputs = "=1+1"
    items[0].save()
    data = plan_xlsx(world.plan)
    _assert_text(data, FORMULAS[: len(items)])
    first.write_bytes(data)
    before = list(PlanItem.objects.filter(plan=world.plan).order_by("pk").values())
    report = import_appendix(first)
    assert not report.changed, report.updated
    assert list(PlanItem.objects.filter(plan=world.plan).order_by("pk").values()) == before
    again = plan_xlsx(world.plan)
    assert [(c.coordinate, c.value) for c in _all_cells(again)] == [(c.coordinate, c.value) for c in _all_cells(data)]


def test_the_consolidated_status_export_writes_text_cells(client, world):
    item = world.report_of(world.agency_a).item
    item.title = "=1+1"
    item.save()
    client.force_login(world.reviewer)
    response = client.get(reverse("dashboard:status", args=[world.cycle.pk]) + "?export=xlsx&q=%3D1%2B1")
    assert response.status_code == 200
    _assert_text(response.content, ["=1+1"])


def test_the_province_report_spreadsheet_writes_text_cells(world):
    from reporting.province.excel import province_report_xlsx
    from reporting.province.build import build

    report = world.report_of(world.agency_a)
    report.item.title = "=1+1"
    report.item.save()
    workflow.report_save(report, user=world.officer_a, base_version=report.version, data={
        "status": "behind", "percent_complete": 20, "results": "@SUM(A1:A9)",
        "difficulties": "=HYPERLINK(\"http://evil.example\",\"x\")", "proposals": "-2+3"})
    report.refresh_from_db()
    workflow.report_submit(report, user=world.head_a)
    report.refresh_from_db()
    workflow.report_accept(report, user=world.reviewer)
    data = province_report_xlsx(build(world.cycle))
    _assert_text(data, ["=1+1", "=HYPERLINK(\"http://evil.example\",\"x\")", "-2+3"])


def test_the_national_export_writes_text_cells(world, tmp_path):
    from reporting.dashboards.export import all_reports_xlsx

    report = world.report_of(world.agency_a)
    Report.objects.filter(pk=report.pk).update(results="=1+1", outputs="+1+1", proposals="@SUM(A1)")
    target = tmp_path / "all.xlsx"
    all_reports_xlsx(target)
    _assert_text(target.read_bytes(), ["=1+1", "+1+1", "@SUM(A1)"])


def test_there_is_no_csv_export_to_neutralise():
    """Exports are .xlsx only, but for the indicators' SDMX-CSV (statistical tools read CSV), whose
    cells starting with = + - @ (or a tab or carriage return) are neutralised: the sibling below
    proves it. Any other CSV writer needs its own proof."""
    writers = [str(p.relative_to(ROOT)) for d in ("greenplan", "reporting", "tasks", "agencies")
               for p in (ROOT / d).rglob("*.py") if re.search(r"\bcsv\.(writer|DictWriter)\b", p.read_text())]
    assert writers == ["reporting/indicators/export.py"]


def test_the_indicator_csv_neutralises_formula_cells(indicators):
    import csv
    import io

    from reporting.indicators import values as V
    from reporting.indicators.export import write_csv

    w = indicators.world
    indicators.stations.territories = ["=HYPERLINK(\"http://evil.example\",\"x\")", "@SUM(A1)"]
    indicators.stations.save()
    indicators.stations.indicator.unit = "+1+1"
    indicators.stations.indicator.save()
    for territory in indicators.stations.territories:
        V.value_create(plan_indicator=indicators.stations, cycle=indicators.cycle, year=2025, user=w.head_a,
                       value="3", territory=territory)
    V.value_create(plan_indicator=indicators.intensity, cycle=indicators.cycle, year=2025, user=w.head_a, value="-2,5")
    out = io.StringIO()
    write_csv(out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    text_cells = [v for r in rows for k, v in r.items() if k not in ("OBS_VALUE", "TIME_PERIOD")]
    assert not [v for v in text_cells if v[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert {r["TERRITORY"] for r in rows} >= {"'=HYPERLINK(\"http://evil.example\",\"x\")", "'@SUM(A1)"}
    assert "-2.5" in {r["OBS_VALUE"] for r in rows}  # a negative figure stays a number
