"""The English interface: Vietnamese is the source language and the default; English comes from
locale/en/LC_MESSAGES/django.po (compiled to django.mo, both committed).

Pages are requested with the language cookie the VI/EN switch sets; without it they stay
Vietnamese. Dates are dd/mm/yyyy in both languages.
"""
import ast
import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from reporting.models import Report


pytestmark = pytest.mark.django_db

LOCALE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def page(client, url, user=None, status=200):
    if user is not None:
        client.force_login(user)
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def shows(body, present=(), absent=()):
    for text in present:
        assert text in body, f"missing {text!r}"
    for text in absent:
        assert text not in body, f"untranslated {text!r}"


# --- the switch ---------------------------------------------------------------------------------


def test_vietnamese_is_the_default_without_a_cookie(client, world):
    body = page(client, reverse("tasks:plan_list"), world.officer_a)
    assert '<html lang="vi">' in body
    shows(body, ["<h1>Kế hoạch hành động</h1>", "Đăng xuất", 'value="en"'], ["<h1>Action plans</h1>", "Log out"])


def test_an_english_browser_still_gets_vietnamese_until_the_switch_is_used(client, world):
    client.force_login(world.officer_a)
    body = client.get("/plans/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi">' in body and "<h1>Kế hoạch hành động</h1>" in body
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"  # a stale or forged cookie falls back to Vietnamese
    assert '<html lang="vi">' in page(client, "/plans/")


def test_the_switch_sets_english_and_back(client, world):
    client.force_login(world.officer_a)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/plans/"})
    assert response.status_code == 302 and response["Location"] == "/plans/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    body = page(client, "/plans/")
    assert '<html lang="en">' in body
    shows(body, ["<h1>Action plans</h1>", "Log out", 'value="vi"'], ["<h1>Kế hoạch hành động</h1>", "Đăng xuất"])
    client.post(reverse("set_language"), {"language": "vi", "next": "/plans/"})
    shows(page(client, "/plans/"), ["<h1>Kế hoạch hành động</h1>"], ["<h1>Action plans</h1>"])


def test_the_login_page_switches_too(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    body = page(client, reverse("login"))
    shows(body, ["Log in", "Username", "Password", "Action plan monitoring"],
          ["Đăng nhập", "Tên đăng nhập", "Mật khẩu"])


# --- key pages in English -----------------------------------------------------------------------


def test_plan_pages_in_english(client, world):
    english(client)
    body = page(client, reverse("tasks:plan_list"), world.officer_a)
    shows(body, ["<h1>Action plans</h1>", "Period", "Annual report deadline", "Agency reports", "Plans", "Agencies"],
          ["<h1>Kế hoạch hành động</h1>", "Hạn báo cáo hằng năm", "Giai đoạn"])

    body = page(client, reverse("tasks:plan_detail", args=[world.plan.code]))
    shows(body, ["Search", "All themes", "Lead or supporting", "items."],
          ["Tìm kiếm", "Tất cả chủ đề", "Chủ trì hoặc phối hợp"])

    item = world.plan.items.get(code="1.1.1")
    body = page(client, reverse("tasks:item_detail", args=[world.plan.code, item.pk]))
    shows(body, ["Lead agency", "Supporting agencies", "Timeline", "Expected outputs"],
          ["Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian thực hiện", "Sản phẩm dự kiến"])


def test_agency_list_in_english(client, world):
    body = page(english(client), reverse("agencies:list"), world.officer_a)
    shows(body, ["Name", "Type", "Province/city", "Active", "Departments and sectors"],
          ["Tên</th>", "Tỉnh/thành phố", "Sở, ban, ngành"])
    assert "Sở Tài nguyên và Môi trường" in body  # names are data: they stay as registered


def test_officer_home_and_report_page_in_english(client, world):
    english(client)
    body = page(client, reverse("reporting:home"), world.officer_a)
    shows(body, ["Agency reports", "Deadline", "Request an extension", "Not reported"],
          ["Báo cáo của cơ quan", "Hạn nộp", "Đề nghị gia hạn", "Chưa báo cáo"])

    report = world.report_of(world.agency_a)
    body = page(client, reverse("reporting:report", args=[report.pk]))
    shows(body, ["Implementation status", "Completion rate", "Results achieved", "Save draft", "Evidence",
                 "History", "Supporting agencies"],
          ["Tình hình thực hiện", "Kết quả đạt được", "Lưu nháp", "Minh chứng", "Lịch sử"])


def test_workflow_messages_follow_the_language(client, world):
    report = world.report_of(world.agency_a)
    english(client).force_login(world.head_a)
    response = client.post(reverse("reporting:submit", args=[report.pk]), follow=True)
    body = response.content.decode()
    assert "The report has no content yet; enter and save it before submitting." in body
    assert "Báo cáo chưa có nội dung" not in body


def test_reviewer_queue_and_dashboard_in_english(client, world):
    Report.objects.filter(cycle=world.cycle, agency=world.agency_a).update(
        state=Report.State.SUBMITTED, status="on_schedule", percent_complete=40, submitted_at=timezone.now())
    english(client)
    body = page(client, reverse("reporting:queue"), world.reviewer)
    shows(body, ["Report review", "Select all", "Accept the selected reports", "Pending extension requests",
                 "Submitted", "3 reports"],
          ["Thẩm định báo cáo", "Chọn tất cả", "Chấp nhận các báo cáo đã chọn", "Đã gửi"])

    body = page(client, reverse("dashboard:cycle", args=[world.cycle.pk]), world.reviewer)
    shows(body, ["Dashboard", "Key figures", "Progress by theme", "Report submission by agency",
                 "Reports due", "On time", "Not submitted"],
          ["Bảng điều hành", "Số liệu chính", "Tiến độ theo chủ đề", "Tình hình nộp báo cáo của các cơ quan"])


# --- dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_dates_stay_dd_mm_yyyy_in_both_languages(client, world, lang):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    due = timezone.localtime(world.cycle.due_at).strftime("%d/%m/%Y")
    assert f"{due}" in page(client, reverse("reporting:home"), world.officer_a)
    report = world.report_of(world.agency_a)
    body = page(client, reverse("reporting:report", args=[report.pk]))
    assert due in body
    iso = timezone.localtime(world.cycle.due_at).strftime("%Y-%m-%d")
    assert iso not in body.replace('datetime="', "")  # no ISO or month-name dates in visible text
    assert timezone.localtime(world.cycle.due_at).strftime("%B") not in body


def test_the_document_stays_vietnamese_whoever_asks(world, monkeypatch):
    """The province report is an official Vietnamese document, even when an English page asks for it
    (an eager Celery run inherits the page's language); the dashboard draws the same charts in English."""
    from django.utils import translation

    from reporting.province import jobs as jobs_report
    from reporting.models import ProvinceReportJob
    from reporting.province.build import build, default_meta

    Report.objects.filter(cycle=world.cycle).update(state=Report.State.SUBMITTED, status="on_schedule",
                                                    percent_complete=50, submitted_at=timezone.now())
    seen = {}

    def render(report, fmt):
        seen.update(title=str(report.charts["themes"].title), method=report.method, lang=translation.get_language())
        return b"%PDF-stub"

    monkeypatch.setattr(jobs_report, "render_province_report", render)
    job = ProvinceReportJob.objects.create(cycle=world.cycle, format="pdf", params=default_meta(world.cycle).as_json())
    with translation.override("en"):
        assert str(build(world.cycle).charts["themes"].title) == "Progress by theme"
        jobs_report.run_job(job.pk)
        assert translation.get_language() == "en"
    assert seen["lang"] == "vi" and seen["title"] == "Tiến độ theo chủ đề"
    assert seen["method"].startswith("Tiến độ của chủ đề")


# --- the catalogue ------------------------------------------------------------------------------


def _po_entries(path: Path):
    """A tiny .po reader: yields dicts with flags, msgctxt, msgid, msgid_plural and msgstr[n]."""
    entry, key = {"flags": set()}, None
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if "msgid" in entry:
                yield entry
            entry, key = {"flags": set()}, None
        elif line.startswith("#,"):
            entry["flags"] |= {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            entry[key] = ast.literal_eval(value)


def test_the_english_catalogue_is_complete_and_compiled():
    po, mo = LOCALE / "django.po", LOCALE / "django.mo"
    assert po.exists() and mo.exists()
    entries = list(_po_entries(po))
    header, messages = entries[0], entries[1:]
    assert header["msgid"] == "" and "fuzzy" not in header["flags"]
    assert len(messages) > 500
    untranslated = [e["msgid"] for e in messages
                    if not all(v for k, v in e.items() if k.startswith("msgstr"))]
    fuzzy = [e["msgid"] for e in messages if "fuzzy" in e["flags"]]
    obsolete = [e["msgid"] for e in messages if e.get("obsolete")]
    assert untranslated == [] and fuzzy == [] and obsolete == []
    # Whether the .mo says what the .po says is checked entry by entry below (file times are
    # meaningless after a checkout).


def test_the_compiled_catalogue_says_what_the_po_says():
    """Production has no gettext tools: the committed .mo must match the .po entry for entry."""
    import gettext

    with (LOCALE / "django.mo").open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog
    for e in list(_po_entries(LOCALE / "django.po"))[1:]:
        key = f"{e['msgctxt']}\x04{e['msgid']}" if "msgctxt" in e else e["msgid"]
        if "msgid_plural" in e:
            assert catalog.get((key, 0)) == e["msgstr[0]"] and catalog.get((key, 1)) == e["msgstr[1]"], key
        else:
            assert catalog.get(key) == e["msgstr"], f"{key!r} differs in django.mo: run compilemessages"


def test_catalogue_keeps_placeholders():
    import re

    placeholder = re.compile(r"%\(\w+\)[sd]")
    for e in list(_po_entries(LOCALE / "django.po"))[1:]:
        sources = {e["msgid"], e.get("msgid_plural", e["msgid"])}
        wanted = {p for s in sources for p in placeholder.findall(s)}
        for key, value in e.items():
            if key.startswith("msgstr"):
                assert set(placeholder.findall(value)) == wanted, (e["msgid"], value)


def test_date_formats_are_dd_mm_yyyy_for_both_languages():
    from django.utils import formats, translation

    day = dt.date(2026, 11, 30)
    for lang in ("vi", "en"):
        with translation.override(lang):
            assert formats.date_format(day) == "30/11/2026"
            assert formats.date_format(day, "SHORT_DATE_FORMAT") == "30/11/2026"
