"""Files in an S3 bucket (a real SeaweedFS started for the session): evidence, generated province
reports and pending workbook uploads go to the bucket and come back only through the portal's
permission-checked views; the bucket itself answers no anonymous request. And when the store is
down, pages that need no file keep working while an upload says so and writes nothing."""
import io
import urllib.error
import urllib.request

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from greenplan.object_storage import default_storage_setting, s3_options
from reporting.models import Attachment, ProvinceReportJob, Report
from reporting.reports import files
from reporting.workbook import layout, pending

pytestmark = [pytest.mark.django_db, pytest.mark.services]

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
# Nothing listens here: connections are refused at once (the store is "down").
DOWN = "s3+http://k:s@127.0.0.1:9/greenplan-down"


def _keys(store):
    listing = store.client().list_objects_v2(Bucket=store.bucket, Prefix=store.prefix + "/")
    return [o["Key"][len(store.prefix) + 1:] for o in listing.get("Contents", [])]


def _upload_evidence(client, report, content=PDF, name="Biên bản.pdf"):
    return client.post(reverse("reporting:attachment_upload", args=[report.pk]),
                       {"file": SimpleUploadedFile(name, content, content_type="application/pdf")}, follow=True)


def _messages(response):
    return [str(m) for m in response.context["messages"]]


# --- settings -------------------------------------------------------------------------------------


def test_storage_url_names_endpoint_bucket_prefix_and_keys():
    options = s3_options("s3+http://AK:S%2Fecret@127.0.0.1:8333/greenplan/prod?region=hcm")
    assert (options["endpoint_url"], options["bucket_name"], options["location"]) == (
        "http://127.0.0.1:8333", "greenplan", "prod")
    assert (options["access_key"], options["secret_key"], options["region_name"]) == ("AK", "S/ecret", "hcm")
    assert options["default_acl"] is None and options["querystring_auth"] and not options["file_overwrite"]
    assert s3_options("s3://AK:SK@s3.example.vn/bucket")["endpoint_url"] == "https://s3.example.vn"
    assert s3_options("s3://AK:SK@/bucket")["endpoint_url"] is None  # AWS's own endpoint


def test_the_usual_aws_variables_work_and_nothing_set_means_the_local_disk():
    env = {"AWS_STORAGE_BUCKET_NAME": "gp", "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b",
           "AWS_S3_ENDPOINT_URL": "https://minio.so-tc.local"}
    assert default_storage_setting("", env)["BACKEND"] == "storages.backends.s3.S3Storage"
    assert default_storage_setting("", env)["OPTIONS"]["endpoint_url"] == "https://minio.so-tc.local"
    assert default_storage_setting("", {})["BACKEND"] == "django.core.files.storage.FileSystemStorage"


@pytest.mark.parametrize("url, says", [("ftp://a:b@h/b", "must start with s3://"), ("s3://a:b@host/", "names no bucket"),
                                       ("s3://a:b@host/b?addressing=odd", "path or virtual")])
def test_a_malformed_storage_url_stops_start_up_with_a_message(url, says):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match=says):
        s3_options(url)


# --- the real bucket ------------------------------------------------------------------------------


def test_evidence_goes_to_the_bucket_and_comes_back_only_through_the_portal(client, s3_storage, alice, rita, bob,
                                                                            report):
    client.force_login(alice)
    assert any("Đã nộp minh chứng" in m for m in _messages(_upload_evidence(client, report)))
    attachment = Attachment.objects.get(report=report)
    assert _keys(s3_storage) == [attachment.file.name]
    url = reverse("reporting:attachment_download", args=[attachment.pk])
    for user in (alice, rita):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    client.force_login(bob)
    assert client.get(url).status_code == 404
    # The object's own address refuses an anonymous request: the bucket is not public.
    raw = f"{s3_storage.endpoint}/{s3_storage.bucket}/{s3_storage.prefix}/{attachment.file.name}"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(raw, timeout=10)
    assert refused.value.code == 403


def test_removed_evidence_leaves_the_bucket(client, s3_storage, alice, report, django_capture_on_commit_callbacks):
    client.force_login(alice)
    _upload_evidence(client, report)
    attachment = Attachment.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reporting:attachment_delete", args=[attachment.pk]))
    assert not Attachment.objects.exists() and _keys(s3_storage) == []


def test_a_generated_province_report_is_kept_in_the_bucket_and_downloaded(eager_jobs, client, s3_storage, scenario,
                                                                          django_capture_on_commit_callbacks):
    client.force_login(scenario.reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(scenario.url("province_report"), {
            "number": "7/BC-STC", "date": "05/12/2026", "place": "Bình Dương", "signer_title": "GIÁM ĐỐC",
            "signer_name": "Trần Văn Ký", "signer_authority": "", "ministry": "Bộ Tài chính",
            "recipients": "Bộ Tài chính;\nLưu: VT.", "format": "xlsx"})
    job = ProvinceReportJob.objects.get()
    assert job.status == job.Status.DONE and _keys(s3_storage) == [job.file_path]
    download = client.get(reverse("dashboard:job_download", args=[job.pk]))
    data = b"".join(download.streaming_content)
    assert download.status_code == 200 and data.startswith(b"PK")
    with default_storage.open(job.file_path) as stored:
        assert stored.read() == data


def test_a_pending_workbook_waits_in_the_bucket_until_confirmed(client, s3_storage, world):
    client.force_login(world.officer_a)
    data = b"".join(client.get(reverse("reporting:workbook_download",
                                       args=[world.cycle.pk, world.agency_a.pk])).streaming_content)
    book = load_workbook(io.BytesIO(data))
    sheet = book[layout.SHEET]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=header.index(layout.HEADER_OF["percent_complete"]) + 1, value=35)
    out = io.BytesIO()
    book.save(out)
    upload = io.BytesIO(out.getvalue())
    upload.name = "bao-cao.xlsx"
    preview = client.post(reverse("reporting:workbook_upload", args=[world.cycle.pk, world.agency_a.pk]),
                          {"file": upload})
    token = preview.context["token"]
    assert token and _keys(s3_storage) == [pending.stored_name(token)]
    confirmed = client.post(reverse("reporting:workbook_confirm", args=[world.cycle.pk, world.agency_a.pk]),
                            {"token": token, "action": "confirm"})
    assert confirmed.status_code == 302 and _keys(s3_storage) == []
    assert Report.objects.filter(cycle=world.cycle, percent_complete=35).count() == 1


# --- the store is down ----------------------------------------------------------------------------


@pytest.fixture
def store_down(settings):
    settings.STORAGES = {**settings.STORAGES, "default": default_storage_setting(DOWN, {})}


def test_with_the_store_down_an_upload_says_so_and_writes_nothing(client, alice, report, store_down):
    client.force_login(alice)
    response = _upload_evidence(client, report)
    assert str(files.UNAVAILABLE) in _messages(response)
    assert not Attachment.objects.exists()
    assert response.status_code == 200 and response.redirect_chain[-1][0].endswith("#evidence")


def test_with_the_store_down_pages_that_need_no_file_keep_working(client, alice, rita, report, settings):
    client.force_login(alice)
    _upload_evidence(client, report)  # on the local disk, while the store was up
    attachment = Attachment.objects.get()
    settings.STORAGES = {**settings.STORAGES, "default": default_storage_setting(DOWN, {})}
    for user, name in ((alice, "reporting:home"), (alice, "reporting:report"), (rita, "reporting:queue")):
        client.force_login(user)
        url = reverse(name, args=[report.pk]) if name == "reporting:report" else reverse(name)
        assert client.get(url).status_code == 200, name
    client.force_login(alice)
    response = client.get(reverse("reporting:attachment_download", args=[attachment.pk]), follow=True)
    assert str(files.UNREADABLE) in _messages(response)
    assert "Biên bản.pdf" in response.content.decode()  # the report page, which still lists it


def test_with_the_store_down_a_province_report_job_fails_with_a_plain_message(eager_jobs, scenario, store_down):
    from reporting.province.build import default_meta
    from reporting.province.jobs import run_job

    job = ProvinceReportJob.objects.create(cycle=scenario.cycle, format="xlsx", requested_by=scenario.reviewer,
                                           params=default_meta(scenario.cycle).as_json())
    run_job(job.pk)
    job.refresh_from_db()
    assert job.status == job.Status.FAILED and job.message.startswith("Kho lưu trữ tệp không phản hồi")
