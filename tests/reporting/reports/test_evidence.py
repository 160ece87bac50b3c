"""Evidence files: judged by content, stored under a random name, served only to those who may see the report."""
import hashlib
import io
import os
import re
import zipfile

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reporting.reports import workflow
from reporting.models import Attachment, Report


pytestmark = pytest.mark.django_db

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + b"This program cannot be run in DOS mode"
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'


def ooxml(main="word/document.xml", content_types=True, macro=False) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        if content_types:
            z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr(main, "<document/>")
        if macro:
            z.writestr("word/vbaProject.bin", b"\x00")
    return buf.getvalue()


def upload(client, report, name, content, content_type="application/pdf"):
    return client.post(reverse("reporting:attachment_upload", args=[report.pk]),
                       {"file": SimpleUploadedFile(name, content, content_type=content_type)}, follow=True)


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_a_real_pdf_is_stored_under_media_root_with_a_random_name(client, alice, report):
    client.force_login(alice)
    response = upload(client, report, "Biên bản nghiệm thu.pdf", PDF)
    assert any("Đã nộp minh chứng" in m for m in messages_of(response))
    attachment = Attachment.objects.get(report=report)
    assert attachment.original_name == "Biên bản nghiệm thu.pdf"
    assert attachment.content_type == "application/pdf" and attachment.size == len(PDF)
    assert re.fullmatch(rf"evidence/{report.cycle_id}/[0-9a-f]{{32}}\.pdf", attachment.file.name)
    path = attachment.file.path
    assert path.startswith(os.path.realpath(settings.MEDIA_ROOT)) or path.startswith(str(settings.MEDIA_ROOT))
    with open(path, "rb") as fh:
        assert fh.read() == PDF
    assert "Biên bản nghiệm thu.pdf" in response.content.decode()  # listed on the report


def test_download_works_for_the_agency_and_the_reviewer_with_the_original_name_as_attachment(client, alice, rita, report):
    client.force_login(alice)
    upload(client, report, "Biên bản nghiệm thu.pdf", PDF)
    attachment = Attachment.objects.get()
    url = reverse("reporting:attachment_download", args=[attachment.pk])
    for user in (alice, rita):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, user
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert "filename*=utf-8''Bi%C3%AAn%20b%E1%BA%A3n%20nghi%E1%BB%87m%20thu.pdf" in disposition


def test_download_is_404_for_another_agency_a_supporting_agency_and_another_province(client, alice, bob, sam, yann, report):
    client.force_login(alice)
    upload(client, report, "bien-ban.pdf", PDF)
    url = reverse("reporting:attachment_download", args=[Attachment.objects.get().pk])
    for user in (bob, sam, yann):
        client.force_login(user)
        assert client.get(url).status_code == 404, user
    client.logout()
    assert client.get(url).status_code == 302  # login first


def test_evidence_has_no_public_url(client, alice, report):
    client.force_login(alice)
    upload(client, report, "bien-ban.pdf", PDF)
    name = Attachment.objects.get().file.name
    assert client.get("/" + name).status_code == 404
    assert client.get("/media/" + name).status_code == 404
    assert client.get(settings.MEDIA_URL + name).status_code == 404  # the placeholder prefix serves nothing


@pytest.mark.parametrize("name,content,expected", [
    ("bao-cao.pdf", EXE, "là chương trình máy tính"),
    ("hinh.svg", SVG, "Không nhận tệp SVG"),
    ("bao-cao.pdf", SVG, "Không nhận tệp SVG"),
    ("trang.pdf", b"<!DOCTYPE html><html><script>x()</script></html>", "Không nhận tệp HTML"),
    ("so-lieu.xlsx", ooxml(content_types=False), "thiếu [Content_Types].xml"),
    ("macro.docx", ooxml(macro=True), "có chứa macro"),
    ("ghi-chu.pdf", b"just some text pretending", "không phải PDF, Word, Excel"),
])
def test_files_that_are_not_documents_are_refused_with_a_clear_message(client, alice, report, name, content, expected):
    client.force_login(alice)
    response = upload(client, report, name, content)
    assert any(expected in m for m in messages_of(response)), messages_of(response)
    assert not Attachment.objects.exists()


def test_an_oversized_file_is_refused_with_the_limit_in_the_message(client, alice, report, settings):
    settings.MAX_UPLOAD_BYTES = 2 * 1024 * 1024
    client.force_login(alice)
    response = upload(client, report, "lon.pdf", PDF + b"0" * (3 * 1024 * 1024))
    assert any("Tệp quá lớn" in m and "tối đa là 2 MB" in m for m in messages_of(response)), messages_of(response)
    assert not Attachment.objects.exists()


def test_office_documents_and_images_are_accepted_by_content(client, alice, report):
    client.force_login(alice)
    upload(client, report, "ke-hoach.docx", ooxml())
    upload(client, report, "so-lieu.xlsx", ooxml("xl/workbook.xml"))
    upload(client, report, "anh.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "image/png")
    upload(client, report, "cu.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "application/msword")
    got = sorted((a.original_name, a.file.name.rsplit(".", 1)[1]) for a in Attachment.objects.all())
    assert got == [("anh.png", "png"), ("cu.doc", "doc"), ("ke-hoach.docx", "docx"), ("so-lieu.xlsx", "xlsx")]


def test_evidence_cannot_be_added_or_deleted_once_submitted_nor_by_a_reviewer(client, alice, hana, rita, report):
    client.force_login(alice)
    upload(client, report, "bien-ban.pdf", PDF)
    attachment = Attachment.objects.get()
    workflow.report_save(report, user=alice, data={"status": "on_schedule", "percent_complete": 50}, base_version=0)
    workflow.report_submit(report, user=hana)
    response = upload(client, report, "them.pdf", PDF)
    # The workflow's own reason, as the report page gives it.
    assert Attachment.objects.count() == 1 and any("Báo cáo đã gửi và đang chờ thẩm định" in m for m in messages_of(response))
    response = client.post(reverse("reporting:attachment_delete", args=[attachment.pk]), follow=True)
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    client.force_login(rita)
    # Rita sees the report but a reviewer never edits it: 403 (the refusal rule, reporting.reports.access).
    assert client.post(reverse("reporting:attachment_delete", args=[attachment.pk])).status_code == 403
    assert Attachment.objects.filter(pk=attachment.pk).exists()


def test_the_agency_deletes_evidence_while_the_report_is_editable(client, alice, report, django_capture_on_commit_callbacks):
    client.force_login(alice)
    upload(client, report, "bien-ban.pdf", PDF)
    attachment = Attachment.objects.get()
    path = attachment.file.path
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reporting:attachment_delete", args=[attachment.pk]))
    assert not Attachment.objects.exists() and not os.path.exists(path)


def test_the_same_file_attached_twice_is_refused_naming_the_evidence_already_there(client, alice, report):
    client.force_login(alice)
    upload(client, report, "Biên bản nghiệm thu.pdf", PDF)
    folder = os.path.dirname(Attachment.objects.get().file.path)
    files = sorted(os.listdir(folder))
    response = upload(client, report, "bien-ban-ban-sao.pdf", PDF)  # the same bytes under another name
    assert Attachment.objects.filter(report=report).count() == 1
    assert ("Tệp “bien-ban-ban-sao.pdf” đã được đính kèm vào báo cáo này "
            "(trùng nội dung với minh chứng “Biên bản nghiệm thu.pdf”); không nộp lại.") in messages_of(response)
    stored = Attachment.objects.get()
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest()
    assert sorted(os.listdir(folder)) == files  # the copy was not stored either


def test_a_different_file_or_the_same_file_on_another_report_is_accepted(client, alice, report, cycle, plan, agency_a):
    other = Report.objects.create(cycle=cycle, item=plan.items.get(code="1.1.2"), agency=agency_a)
    client.force_login(alice)
    upload(client, report, "bien-ban.pdf", PDF)
    upload(client, report, "bien-ban-sua.pdf", PDF.replace(b"%%EOF", b"% sua\n%%EOF"))
    upload(client, other, "bien-ban.pdf", PDF)
    assert Attachment.objects.filter(report=report).count() == 2
    assert Attachment.objects.filter(report=other).count() == 1


def test_the_same_file_sent_twice_at_once_is_kept_once(alice, report, monkeypatch):
    from django.core.exceptions import ValidationError

    from reporting.reports import evidence as uploads

    check = uploads._refuse_duplicate
    raced = []

    def check_then_lose_the_race(report_, name, digest):
        if not raced:  # the other request stores the same file between this check and this save
            raced.append(Attachment.objects.create(report=report_, original_name="bien-ban.pdf", sha256=digest,
                                                   content_type="application/pdf", size=len(PDF),
                                                   file="evidence/khac.pdf"))
            return
        check(report_, name, digest)

    monkeypatch.setattr(uploads, "_refuse_duplicate", check_then_lose_the_race)
    with pytest.raises(ValidationError, match="trùng nội dung với minh chứng “bien-ban.pdf”"):
        uploads.attach(report, user=alice, uploaded=SimpleUploadedFile("ban-sao.pdf", PDF, content_type="application/pdf"))
    assert list(Attachment.objects.filter(report=report)) == raced
