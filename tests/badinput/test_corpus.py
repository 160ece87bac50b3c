"""Bad input, with nothing written.

Every file of tests/corpus (see its README.md) is thrown at every upload it can reach: the plan
appendix import (the service behind `manage.py import_appendix`, and the admin import page), the
evidence upload of a report, and the offline cycle workbook upload when it exists. Each must get a
clear message (naming the file, and the sheet/row/column where the problem is in one), and every
table in the database must be unchanged, checked by a checksum of all tables before and after;
the import log alone may gain its one entry for the attempt. Sessions and django-axes' tables are
left out (logging in writes them).

Then the forms: invalid dates and numbers are refused with nothing written, and HTML/script typed
into every free-text field is stored as the text it is and shown escaped on every page that shows it.

Runs on SQLite and on PostgreSQL (DATABASE_URL): PostgreSQL enforces column lengths, SQLite does not.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from reporting.reports import workflow
from reporting.models import Attachment, ContributionRequest, Extension, ProvinceReportJob, Report
from tasks.importers.load import import_appendix
from tasks.importers.service import ImportFailed
from tasks.models import ImportLog
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CORPUS_DIR = Path(__file__).resolve().parent.parent / "corpus"
PAYLOAD = """<script>alert("xss")</script><img src=x onerror="alert(1)">'&"</textarea><b>gras</b>"""
RAW_MARKERS = ('<script>alert("xss")', '<img src=x onerror', "</textarea><b>")

# --- what each corpus file must provoke -------------------------------------------------------------
# Evidence refusals (reporting/uploads.py), in Vietnamese, the default language.
E_EMPTY = "Tệp rỗng"
E_BROKEN_ZIP = "Tệp nén bị hỏng hoặc không phải tài liệu Office"
E_NOT_OFFICE = "Tệp ZIP không phải tài liệu Office"
E_MACRO = "có chứa macro"
E_UNKNOWN_OFFICE = "Không nhận dạng được loại tài liệu Office"
E_BOMB = "giải nén ra quá lớn"
E_PROGRAM = "là chương trình máy tính, không phải tài liệu"
E_SVG = "Không nhận tệp SVG"
E_HTML = "Không nhận tệp HTML"
E_XML = "Không nhận tệp XML/SVG"
E_OTHER = "không phải PDF, Word, Excel, PowerPoint hoặc ảnh PNG/JPEG/GIF/WebP"
ACCEPTED = None  # a well-formed Office container: legitimate evidence, stored as an opaque file
# Plan import messages (tasks/importers), after the file's name.
I_EMPTY = ": tệp rỗng."
I_BROKEN = ": tệp .xlsx bị hỏng hoặc không đầy đủ"
I_NOT_XLSX = ": không phải tệp Excel .xlsx."
I_UNREADABLE = ": không đọc được tệp Excel"
I_BOMB = ": nội dung giải nén quá lớn"
I_BINARY = ": không phải tệp văn bản hay tệp Excel .xlsx (tệp nhị phân)."
I_NOT_UTF8 = ": không phải văn bản UTF-8"
I_NOT_PLAN = ": Văn bản không giống một kế hoạch hành động"


@dataclass(frozen=True)
class Case:
    file: str
    imports: str  # what the plan import says, right after the file's name
    evidence: str | None  # what the evidence upload says; ACCEPTED: stored as evidence
    upload_as: str | None = None  # the hostile name the browser sends

    @property
    def name(self) -> str:
        return self.upload_as or self.file


LONG_NAME = "bao-cao-" + "rat-dai-" * 40 + ".txt"  # 332 characters; Django keeps 255
CASES = [
    # Broken spreadsheets and archives
    Case("xlsx-empty.xlsx", I_EMPTY, E_EMPTY),
    Case("xlsx-truncated.xlsx", I_BROKEN, E_BROKEN_ZIP),
    Case("xlsx-pk-garbage.xlsx", I_BROKEN, E_BROKEN_ZIP),
    Case("xlsx-zip-not-office.xlsx", I_NOT_XLSX, E_NOT_OFFICE),
    Case("xlsx-zip-bomb.xlsx", I_BOMB, E_BOMB),
    Case("xlsx-xml-bomb.xlsx", I_UNREADABLE, ACCEPTED),
    Case("xlsx-xxe-entity.xlsx", I_UNREADABLE, ACCEPTED),
    Case("xlsx-corrupt-sheet-xml.xlsx", I_UNREADABLE, ACCEPTED),
    Case("xlsx-corrupt-plan-sheet-xml.xlsx", I_UNREADABLE, ACCEPTED),
    Case("xlsm-with-macro.xlsm", I_UNREADABLE, E_MACRO),
    Case("docx-unknown-office-part.docx", I_UNREADABLE, E_UNKNOWN_OFFICE),
    # Wrong structure, wrong columns
    Case("xlsx-no-plan-sheets.xlsx", ": thiếu trang “Kế hoạch” (các trang có: Sheet1).", ACCEPTED),
    Case("xlsx-wrong-columns.xlsx", ", trang “Mục kế hoạch”, hàng 1: thiếu cột “Mã”", ACCEPTED),
    Case("xlsx-empty-sheets.xlsx", ", trang “Mục kế hoạch”: trang trống, thiếu dòng tiêu đề.", ACCEPTED),
    Case("xlsx-missing-plan-identity.xlsx", ", trang “Kế hoạch”: thiếu “Số hiệu”.", ACCEPTED),
    # Invalid dates and numbers
    Case("xlsx-invalid-dates.xlsx", ", trang “Kế hoạch”, hàng 7, “Ngày ban hành”: ngày “31/02/2025” không hợp lệ",
         ACCEPTED),
    Case("xlsx-invalid-numbers.xlsx", ", trang “Mục kế hoạch”, hàng 2, cột “Năm bắt đầu”: “năm sau” không phải là năm",
         ACCEPTED),
    Case("xlsx-invalid-codes.xlsx", ", trang “Mục kế hoạch”, hàng 2, cột “Mã”: Mã “abc” không đúng dạng", ACCEPTED),
    Case("xlsx-unknown-level-and-kind.xlsx", ", trang “Mục kế hoạch”, hàng 2, cột “Cấp”: “Cấp 9” không phải một cấp; dùng: Chủ đề",
         ACCEPTED),
    Case("xlsx-duplicate-agencies.xlsx", ", trang “Cơ quan”, hàng 3, cột “Tên cơ quan”: “Sở Tài chính” trùng với hàng 2.",
         ACCEPTED),
    Case("xlsx-unknown-agency.xlsx", ", trang “Mục kế hoạch”, hàng 3, cột “Cơ quan chủ trì”: cơ quan “Sở Không Tồn Tại” "
         "không có", ACCEPTED),
    Case("xlsx-overlong-values.xlsx", ", trang “Kế hoạch”, hàng 3, “Số hiệu”: dài", ACCEPTED),
    # Formulas and script in cells
    Case("xlsx-formula-cells.xlsx", ", trang “Mục kế hoạch”, hàng 2, cột “Tên”: ô chứa công thức", ACCEPTED),
    Case("xlsx-script-in-every-cell.xlsx", ", trang “Mục kế hoạch”, hàng 2, cột “Mã”: Mã “<script>alert('xss')</script>”",
         ACCEPTED),
    # Text in the wrong encoding, or not a plan at all
    Case("doc-cp1258.txt", I_NOT_UTF8, E_OTHER),
    Case("doc-latin1.txt", I_NOT_UTF8, E_OTHER),
    Case("doc-utf16.txt", I_BINARY, E_OTHER),
    Case("doc-whitespace.txt", I_EMPTY, E_OTHER),
    Case("doc-not-a-plan.txt", I_NOT_PLAN, E_OTHER),
    Case("doc-html-page.html", I_NOT_PLAN, E_HTML),
    Case("doc-bidi-zero-width.txt", I_NOT_PLAN, E_OTHER),
    Case("doc-nul-bytes.txt", I_BINARY, E_OTHER),
    Case("csv-formula-injection.csv", I_NOT_PLAN, E_OTHER),
    Case("xml-external-entity.xml", I_NOT_PLAN, E_XML),
    # Programs and markup under document names
    Case("program-renamed.pdf", I_BINARY, E_PROGRAM),
    Case("elf-renamed.docx", I_BINARY, E_PROGRAM),
    Case("shell-script-renamed.pdf", I_NOT_PLAN, E_PROGRAM),
    Case("svg-with-script.svg", I_NOT_PLAN, E_SVG),
    Case("svg-renamed.png", I_NOT_PLAN, E_SVG),
    Case("html-renamed.pdf", I_NOT_PLAN, E_HTML),
    Case("random-bytes.jpg", I_BINARY, E_OTHER),
    Case("empty.pdf", I_EMPTY, E_EMPTY),
    # Hostile names
    Case("traversal-unix.pdf", I_BINARY, E_PROGRAM, upload_as="../../../../etc/cron.d/greenplan.pdf"),
    Case("traversal-windows.pdf", I_NOT_PLAN, E_HTML, upload_as="..\\..\\..\\Windows\\System32\\hosts.pdf"),
    Case("name-with-markup.xlsx", I_BROKEN, E_BROKEN_ZIP, upload_as='<img src=x onerror="alert(1)">.xlsx'),
    Case("name-with-newlines.pdf", I_NOT_PLAN, E_PROGRAM, upload_as="bao-cao\r\nContent-Type: text/html\r\n\x00.pdf"),
    Case("name-too-long.txt", I_NOT_PLAN, E_OTHER, upload_as=LONG_NAME),
]
CASE_IDS = [c.file for c in CASES]


def corpus_bytes(case: Case) -> bytes:
    return (CORPUS_DIR / case.file).read_bytes()


def server_name(name: str) -> str:
    """The name Django hands the view: no path, printable characters only, at most 255."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable())
    if len(name) > 255:
        stem, ext = name.rsplit(".", 1)
        name = stem[: 255 - len(ext) - 1] + "." + ext
    return name


# --- checksums of every table ------------------------------------------------------------------------

def _skipped(table: str) -> bool:
    return table == "django_session" or table.startswith("axes_")


def table_checksums() -> dict[str, tuple[int, str]]:
    """Row count and a digest of the sorted rows of every table but sessions, axes and the import log."""
    qn = connection.ops.quote_name
    out = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(include_views=False)):
            if _skipped(table) or table == ImportLog._meta.db_table:
                continue
            cursor.execute(f"SELECT * FROM {qn(table)}")
            rows = sorted(repr(tuple(row)) for row in cursor.fetchall())
            out[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return out


class Unchanged:
    """`with Unchanged() as check:` ... then `check.log_entries` are the import log's new rows."""

    def __init__(self, *, allow: set[str] = frozenset()):
        self.allow = set(allow)

    def __enter__(self):
        self.before = table_checksums()
        self.log_before = {row["id"]: row for row in ImportLog.objects.values()}
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            return False
        after = table_checksums()
        changed = sorted(t for t in set(self.before) | set(after) if self.before.get(t) != after.get(t))
        assert set(changed) <= self.allow, f"tables changed by bad input: {set(changed) - self.allow}"
        self.changed = changed
        logs_now = {row["id"]: row for row in ImportLog.objects.values()}
        assert {k: logs_now.get(k) for k in self.log_before} == self.log_before, "import log rows were altered"
        self.log_entries = [logs_now[k] for k in sorted(set(logs_now) - set(self.log_before))]
        return False


def test_the_corpus_is_complete_and_documented():
    files = sorted(p.name for p in CORPUS_DIR.iterdir() if p.is_file() and p.suffix not in (".py", ".md"))
    assert len(files) >= 30
    assert sorted(CASE_IDS) == files, "every corpus file has exactly one case here"
    readme = (CORPUS_DIR / "README.md").read_text(encoding="utf-8")
    undocumented = [f for f in files if f"`{f}`" not in readme]
    assert undocumented == []
    bomb = (CORPUS_DIR / "xlsx-zip-bomb.xlsx")
    assert bomb.stat().st_size < 2048  # tiny, yet it claims gigabytes (checked by the import case)


# --- the plan appendix import (the service behind manage.py import_appendix) ------------------------

@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_the_plan_import_refuses_each_corpus_file_and_writes_nothing_but_its_log_entry(case, tmp_path):
    path = tmp_path / case.file
    path.write_bytes(corpus_bytes(case))
    with Unchanged() as check:
        with pytest.raises(ImportFailed) as failure:
            import_appendix(path)
    text = "\n".join(failure.value.errors)
    assert all(message.startswith(case.file) for message in failure.value.errors), text
    assert case.imports in text, text
    entry, = check.log_entries
    assert entry["status"] == ImportLog.Status.FAILED and entry["source_file"] == case.file
    assert "không có gì được ghi" in entry["report"]


def test_a_huge_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.xlsx"
    with path.open("wb") as fh:  # sparse: no disk, no memory
        fh.truncate(settings.MAX_IMPORT_BYTES + 1)
    with Unchanged() as check:
        with pytest.raises(ImportFailed) as failure:
            import_appendix(path)
    assert failure.value.errors[0].startswith("huge.xlsx: tệp quá lớn")
    assert len(check.log_entries) == 1


# --- the admin import page --------------------------------------------------------------------------

ADMIN_IMPORT = "/admin/tasks/planitem/import/"


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    """A multipart body with the file name exactly as given (the test client would strip paths),
    sent as RFC 5987 filename* so that any character survives the header."""
    boundary = "greenplan-" + uuid.uuid4().hex
    out = []
    for key, value in fields.items():
        out.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
    for key, (name, data) in files.items():
        plain = name.isascii() and name.isprintable() and '"' not in name
        # Django refuses part headers over 1 KiB, so a long plain name goes without its encoded twin.
        filename = f'filename="{name}"' if plain else f"filename*=UTF-8''{quote(name, safe='')}"
        out.append((f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"; {filename}\r\n'
                    "Content-Type: application/octet-stream\r\n\r\n").encode() + data + b"\r\n")
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out), f"multipart/form-data; boundary={boundary}"


def post_file(client, url, field, name, data, **fields):
    body, content_type = multipart(fields, {field: (name, data)})
    return client.generic("POST", url, body, content_type=content_type)


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    client.get("/admin/")  # the session exists before the checksums are taken
    return client


def assert_escaped(body: str):
    for marker in RAW_MARKERS + ("<script>alert('xss')", '<img src=x onerror="alert(1)">'):
        assert marker not in body, f"unescaped user text in the page: {marker}"


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_the_admin_import_shows_a_clear_message_for_each_corpus_file_and_writes_nothing(case, admin_client):
    name = server_name(case.name)
    with Unchanged() as check:
        response = post_file(admin_client, ADMIN_IMPORT, "import_file", case.name, corpus_bytes(case),
                             format="0", resource="0")
    body = response.content.decode()
    assert response.status_code == 200
    assert "process_import" not in body  # nothing to confirm
    assert_escaped(body)
    assert "/etc/cron.d" not in body and "System32" not in body
    if not corpus_bytes(case):  # refused by the upload form itself, before the importer runs
        assert "Tập tin được gửi là rỗng." in body
        assert check.log_entries == []
        return
    assert escape(name + case.imports) in body, body[-3000:]
    entry, = check.log_entries
    assert entry["status"] == ImportLog.Status.FAILED and entry["source_file"] == name


def test_a_huge_upload_to_the_admin_import_is_refused(admin_client, settings):
    settings.MAX_IMPORT_BYTES = 2 * 1024 * 1024  # the same rule as 20 MB, with a smaller file to send
    data = b"PK\x03\x04" + b"\x00" * (settings.MAX_IMPORT_BYTES + 1)
    with Unchanged() as check:
        response = post_file(admin_client, ADMIN_IMPORT, "import_file", "phu-luc-lon.xlsx", data, format="0",
                             resource="0")
    assert "phu-luc-lon.xlsx: tệp quá lớn" in response.content.decode()
    assert len(check.log_entries) == 1


# --- the evidence upload of a report ------------------------------------------------------------------

def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def officer(client, alice, report):
    client.force_login(alice)
    client.get(reverse("reporting:report", args=[report.pk]))
    return client


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_the_evidence_upload_refuses_or_stores_each_corpus_file_and_writes_nothing_else(case, officer, report):
    url = reverse("reporting:attachment_upload", args=[report.pk])
    name = server_name(case.name)
    with Unchanged(allow={Attachment._meta.db_table} if case.evidence is ACCEPTED else set()) as check:
        response = post_file(officer, url, "file", case.name, corpus_bytes(case))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("reporting:report", args=[report.pk]))
    page = officer.get(response["Location"])
    said = " ".join(messages_of(page))
    body = page.content.decode()
    assert_escaped(body)
    assert "/etc/cron.d" not in body and "System32" not in body
    if case.evidence is ACCEPTED:
        attachment = Attachment.objects.get(report=report)
        assert check.changed == [Attachment._meta.db_table]
        assert said == f"Đã nộp minh chứng “{attachment.original_name}”."
        assert re.fullmatch(rf"evidence/{report.cycle_id}/[0-9a-f]{{32}}\.xlsx", attachment.file.name)
        assert attachment.file.read() == corpus_bytes(case)
    else:
        assert case.evidence in said, said
        assert Attachment.objects.count() == 0
        if "“" in said:  # a message that quotes the name quotes the cleaned one
            assert f"“{name.strip(' .')}”" in said or "“" + name[:50] in said, said
    assert check.log_entries == []


def test_a_valid_file_under_a_traversal_name_lands_under_media_root_with_a_random_name(officer, report):
    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    response = post_file(officer, reverse("reporting:attachment_upload", args=[report.pk]), "file",
                         "../../../../../tmp/evil.pdf", pdf)
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == "evil.pdf"
    assert Path(attachment.file.path).resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert not Path("/tmp/evil.pdf").exists() or Path("/tmp/evil.pdf").read_bytes() != pdf


def test_a_huge_evidence_file_is_refused(officer, report, settings, tmp_path):
    settings.MAX_UPLOAD_BYTES = 3 * 1024 * 1024  # the same rule as 20 MB, with a smaller file to send
    data = b"%PDF-1.4\n" + b"0" * settings.MAX_UPLOAD_BYTES
    with Unchanged():
        response = officer.post(reverse("reporting:attachment_upload", args=[report.pk]),
                                {"file": _uploaded("bien-ban.pdf", data)}, follow=True)
    assert any(m.startswith("Tệp quá lớn (3,0 MB); dung lượng tối đa là 3 MB.") for m in messages_of(response))


def _uploaded(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


# --- the offline cycle workbook upload ------------------------------------------------------------------

def _pending_workbooks() -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "workbook-uploads"
    return sorted(folder.glob("*")) if folder.is_dir() else []


def _workbook_problems(officer, cycle, agency, name, data):
    url = reverse("reporting:workbook_upload", args=[cycle.pk, agency.pk])
    before = _pending_workbooks()
    with Unchanged():
        response = post_file(officer, url, "file", name, data)
    body = response.content.decode()
    assert response.status_code == 200, body[-2000:]
    assert "chưa lưu gì" in body and 'id="problems"' in body  # the preview lists problems, no confirm
    assert 'name="token"' not in body
    assert_escaped(body)
    assert _pending_workbooks() == before  # nothing kept for a confirm
    return body


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_the_cycle_workbook_upload_refuses_each_corpus_file_and_writes_nothing(case, officer, cycle, agency_a):
    body = _workbook_problems(officer, cycle, agency_a, case.name, corpus_bytes(case))
    assert escape(server_name(case.name).strip(" .")[:60]) in body  # the page names the file
    assert "/etc/cron.d" not in body and "System32" not in body


def _damaged_workbooks(good: bytes) -> dict[str, bytes]:
    import io
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(good))
    sheets = [n for n in src.namelist() if n.startswith("xl/worksheets/")]

    def rewrite(part, body):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for n in src.namelist():
                dst.writestr(n, body if n == part else src.read(n))
        return out.getvalue()

    first = sheets[0]
    xml = src.read(first)
    return {
        "cut-sheet.xlsx": rewrite(first, xml[: len(xml) // 2]),
        "bomb-sheet.xlsx": rewrite(first, ('<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">'
                                           + "".join(f'<!ENTITY a{i} "{"&a;" if i == 1 else f"&a{i - 1};" * 10}">'
                                                     for i in range(1, 9))
                                           + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                                           '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&a8;</t></is></c></row>'
                                           "</sheetData></worksheet>").encode()),
        "garbage-sheet.xlsx": rewrite(first, b"\xff\xfe\x00garbage"),
        "truncated.xlsx": good[: len(good) * 2 // 3],
    }


@pytest.mark.parametrize("variant", ["cut-sheet.xlsx", "bomb-sheet.xlsx", "garbage-sheet.xlsx", "truncated.xlsx"])
def test_a_damaged_cycle_workbook_is_refused_with_a_message_and_writes_nothing(variant, officer, cycle, agency_a, alice):
    from reporting.workbook import layout as workbook

    good = workbook.build(cycle, agency_a, user=alice)
    _workbook_problems(officer, cycle, agency_a, variant, _damaged_workbooks(good)[variant])


# --- forms: invalid dates and numbers ---------------------------------------------------------------------

BAD_REPORT_FORMS = [
    {"percent_complete": "abc"}, {"percent_complete": "101"}, {"percent_complete": "-5"},
    {"percent_complete": "1e3"}, {"percent_complete": "50.5"}, {"percent_complete": "0x32"},
    {"funds_central": "1,5"}, {"funds_local": "-100"}, {"funds_oda": "12abc"}, {"funds_other": "1.23.456"},
    {"funds_central": "9" * 41}, {"funds_local": "1 000.000"}, {"funds_oda": "<script>alert(1)</script>"},
    {"funds_other": "1e9"}, {"funds_central": "²"}, {"funds_local": "1.²³⁴"}, {"status": "hacked"}, {"status": PAYLOAD},
    {"base_version": "x"}, {"base_version": "-1"}, {"base_version": ""},
]


@pytest.mark.parametrize("bad", BAD_REPORT_FORMS, ids=[f"{k}={v[:12]}" for d in BAD_REPORT_FORMS for k, v in d.items()])
def test_the_report_form_refuses_invalid_numbers_and_writes_nothing(bad, officer, report):
    data = {"status": "on_schedule", "percent_complete": "40", "results": "Đã làm", "base_version": str(report.version),
            **bad}
    with Unchanged():
        response = officer.post(reverse("reporting:save", args=[report.pk]), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Chưa lưu: hãy sửa các ô được đánh dấu." in body
    if "base_version" not in bad:  # the hidden version has no box to mark
        assert "errorlist" in body or 'class="error"' in body
    assert_escaped(body)


BAD_DATES = ["31/02/2026", "2026-13-01", "00/00/0000", "hôm qua", "<script>alert(1)</script>", "", "99999-01-01",
             "1/1/1", "2026/11/30"]


@pytest.mark.parametrize("day", BAD_DATES)
def test_a_contribution_request_with_an_invalid_date_is_refused_and_writes_nothing(day, officer, report, agency_s):
    with Unchanged():
        response = officer.post(reverse("reporting:contribution_request", args=[report.pk]),
                                {"agency": agency_s.pk, "due_on": day, "message": "Xin số liệu"}, follow=True)
    said = " ".join(messages_of(response))
    assert "Chưa gửi đề nghị phối hợp" in said and "Hạn góp ý" in said
    assert_escaped(response.content.decode())


@pytest.fixture
def extension(cycle, agency_a, alice):
    return Extension.objects.create(cycle=cycle, agency=agency_a, reason="Thiếu số liệu", requested_by=alice)


@pytest.mark.parametrize("day", BAD_DATES)
def test_an_extension_grant_with_an_invalid_date_is_refused_and_writes_nothing(day, client, rita, extension, report):
    client.force_login(rita)
    client.get(reverse("reporting:queue"))
    with Unchanged():
        response = client.post(reverse("reporting:extension_grant", args=[extension.pk]),
                               {"new_due_on": day, "comment": PAYLOAD}, follow=True)
    assert "Hạn mới không hợp lệ; nhập theo dạng dd/mm/yyyy." in " ".join(messages_of(response))
    assert_escaped(response.content.decode())


@pytest.mark.parametrize("target", ["", "abc", "999999:999999", "1:", ":1", "<script>", "1:2:3"])
def test_an_extension_request_for_an_unknown_target_is_refused_and_writes_nothing(target, officer, report):
    with Unchanged():
        response = officer.post(reverse("reporting:extension_request"), {"target": target, "reason": PAYLOAD},
                                follow=True)
    assert "Hãy chọn kỳ báo cáo và cơ quan." in " ".join(messages_of(response))
    assert_escaped(response.content.decode())


@pytest.mark.parametrize("ids", [["abc"], ["-1"], [""], ["1 OR 1=1"], ["<script>"]])
def test_bulk_accept_with_garbage_ids_writes_nothing(ids, client, rita, report):
    client.force_login(rita)
    client.get(reverse("reporting:queue"))
    with Unchanged():
        response = client.post(reverse("reporting:bulk_accept"), {"report": ids}, follow=True)
    assert "Chưa chọn báo cáo nào." in " ".join(messages_of(response))


@pytest.mark.parametrize("field,value", [("date", "31/02/2026"), ("date", "<script>alert(1)</script>"),
                                         ("date", ""), ("format", "exe"), ("number", "x" * 81),
                                         ("place", ""), ("recipients", "")])
def test_the_province_report_form_refuses_invalid_values_and_writes_nothing(field, value, client, rita, cycle):
    client.force_login(rita)
    url = reverse("dashboard:province_report", args=[cycle.pk])
    client.get(url)
    data = {"number": "125/BC-STC", "date": "30/11/2026", "place": "Bình Dương", "signer_title": "GIÁM ĐỐC",
            "ministry": "Bộ Tài chính", "recipients": "Bộ Tài chính;\nLưu: VT.", "format": "pdf", field: value}
    data.update({k: PAYLOAD for k in ("signer_authority", "signer_name") if k != field})
    with Unchanged():
        response = client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 200 and ("errorlist" in body or 'class="error"' in body)
    assert_escaped(body)
    assert ProvinceReportJob.objects.count() == 0


# --- filters: garbage in the query string ---------------------------------------------------------------

GARBAGE_QUERIES = [
    {"q": PAYLOAD}, {"theme": "abc"}, {"agency": "1 OR 1=1"}, {"year": "-1"}, {"role": "<b>"},
    {"priority": "\x00"}, {"cycle": "../../"}, {"state": PAYLOAD}, {"status": "%00"}, {"sort": "-id; DROP TABLE"},
    {"group": "9" * 30}, {"page": "-9"},
]


@pytest.mark.parametrize("query", GARBAGE_QUERIES, ids=[next(iter(q)) + str(i) for i, q in enumerate(GARBAGE_QUERIES)])
def test_filters_with_garbage_answer_normally_escape_it_and_write_nothing(query, client, rita, cycle, plan, report):
    client.force_login(rita)
    client.get(reverse("reporting:queue"))
    urls = [reverse("reporting:queue"), reverse("dashboard:status", args=[cycle.pk]),
            reverse("tasks:plan_list"), reverse("tasks:plan_detail", args=[plan.code]),
            reverse("dashboard:cycle", args=[cycle.pk]), reverse("dashboard:overview")]
    with Unchanged():
        for url in urls:
            response = client.get(url, query)
            assert response.status_code == 200, (url, query)
            assert_escaped(response.content.decode())


# --- free text: HTML and script are stored as text and shown escaped -------------------------------------

def _page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    body = response.content.decode()
    assert_escaped(body)
    return body


def test_script_in_every_report_field_is_stored_verbatim_and_shown_escaped(client, alice, hana, rita, report):
    fields = {name: f"{name}: {PAYLOAD}" for name in ("results", "outputs", "difficulties", "proposals")}
    client.force_login(alice)
    response = client.post(reverse("reporting:save", args=[report.pk]),
                           {"status": "on_schedule", "percent_complete": "40", "base_version": "0", **fields})
    assert response.status_code == 302
    report.refresh_from_db()
    for name, value in fields.items():
        assert getattr(report, name) == value  # stored as typed, not sanitised nor escaped
    url = reverse("reporting:report", args=[report.pk])
    for user in (alice, rita):
        client.force_login(user)
        body = _page(client, url)
        for value in fields.values():
            assert escape(value) in body or escape(value).replace("\n", "<br>") in body
    # The reviewer returns it with the payload as the comment; the officer sees it escaped.
    workflow.report_submit(report, user=hana)
    client.force_login(rita)
    assert client.post(reverse("reporting:return", args=[report.pk]), {"comment": PAYLOAD}).status_code == 302
    report.refresh_from_db()
    assert report.review_comment == PAYLOAD and report.events.last().comment == PAYLOAD
    client.force_login(alice)
    assert escape(PAYLOAD) in _page(client, url)
    assert escape(PAYLOAD) in _page(client, reverse("reporting:home"))
    # Accept, then reopen with the payload as the reason.
    client.force_login(hana)
    client.post(reverse("reporting:submit", args=[report.pk]))
    client.force_login(rita)
    client.post(reverse("reporting:accept", args=[report.pk]), {"comment": PAYLOAD})
    client.post(reverse("reporting:reopen", args=[report.pk]), {"reason": "Mở lại: " + PAYLOAD})
    report.refresh_from_db()
    assert report.state == Report.State.RETURNED and report.review_comment == "Mở lại: " + PAYLOAD
    assert escape("Mở lại: " + PAYLOAD) in _page(client, url)
    assert [e.comment for e in report.events.filter(kind__in=["accept", "reopen"])] == [PAYLOAD, "Mở lại: " + PAYLOAD]


def test_script_in_a_contribution_request_and_its_answer_is_shown_escaped(client, alice, sam, report, agency_s):
    client.force_login(alice)
    response = client.post(reverse("reporting:contribution_request", args=[report.pk]),
                           {"agency": agency_s.pk, "due_on": f"{timezone.localdate() + dt.timedelta(days=2):%d/%m/%Y}",
                            "message": "Đề nghị: " + PAYLOAD})
    assert response.status_code == 302
    request = ContributionRequest.objects.get()
    assert request.message == "Đề nghị: " + PAYLOAD
    client.force_login(sam)
    assert escape("Đề nghị: " + PAYLOAD) in _page(client, reverse("reporting:contributions"))
    client.post(reverse("reporting:contribution_answer", args=[request.pk]), {f"c{request.pk}-answer": PAYLOAD})
    request.refresh_from_db()
    assert request.answer == PAYLOAD
    body = _page(client, reverse("reporting:contributions"))
    assert escape(PAYLOAD) in body  # in the textarea, escaped
    client.force_login(alice)
    assert escape(PAYLOAD) in _page(client, reverse("reporting:report", args=[report.pk]))


def test_script_in_an_extension_reason_and_decision_is_shown_escaped(client, alice, rita, report, cycle, agency_a):
    client.force_login(alice)
    client.post(reverse("reporting:extension_request"), {"target": f"{cycle.pk}:{agency_a.pk}", "reason": PAYLOAD})
    ext = Extension.objects.get()
    assert ext.reason == PAYLOAD
    client.force_login(rita)
    assert escape(PAYLOAD) in _page(client, reverse("reporting:queue"))
    client.post(reverse("reporting:extension_refuse", args=[ext.pk]), {"comment": "Từ chối: " + PAYLOAD})
    ext.refresh_from_db()
    assert ext.state == Extension.State.REFUSED and ext.decision_comment == "Từ chối: " + PAYLOAD
    client.force_login(alice)
    body = _page(client, reverse("reporting:home"))
    assert escape("Từ chối: " + PAYLOAD) in body


def test_script_in_names_and_titles_from_an_import_is_shown_escaped(client, rita, cycle, plan, report, agency_a):
    """Names and titles come from imported files: every page that shows them escapes them."""
    agency_a.name = "Sở " + PAYLOAD
    agency_a.save()
    plan.items.filter(code__in=["1", "1.1", "1.1.1"]).update(title="Mục " + PAYLOAD)
    client.force_login(rita)
    for url in (reverse("reporting:queue") + "?state=", reverse("dashboard:status", args=[cycle.pk]),
                reverse("dashboard:cycle", args=[cycle.pk]), reverse("tasks:plan_detail", args=[plan.code]),
                reverse("reporting:report", args=[report.pk])):
        body = _page(client, url)
        assert escape("Mục " + PAYLOAD)[:40] in body or escape("Sở " + PAYLOAD)[:40] in body, url
