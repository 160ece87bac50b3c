"""Tried as a user would: the reviewer generates the 2026 province report on the page, downloads
it, signs it in a separate tool (pyHanko's command line, as an officer's own signing software
would, with a certificate of the test PKI), uploads it back, sees it verified, and the public page
publishes the signed PDF."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from reporting.models import OfficialReport, ProvinceReportJob

pytestmark = pytest.mark.django_db


def pyhanko_cli() -> str:
    found = shutil.which("pyhanko") or str(Path(sys.executable).with_name("pyhanko"))
    if not Path(found).exists():
        pytest.skip("pyhanko-cli (test extra) is not installed")
    return found


def test_generate_sign_elsewhere_upload_and_publish_the_2026_report(client, scenario, pki, trusted_root, tmp_path,
                                                                     eager_jobs, django_capture_on_commit_callbacks):
    client.force_login(scenario.reviewer)
    cycle = scenario.cycle
    assert cycle.year == 2026
    # 1. generate the report on the reviewer's page (a background job; eager here) and download it
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("dashboard:province_report", args=[cycle.pk]), {
            "number": "125/BC-STC", "date": "05/12/2026", "place": "Bình Dương", "signer_title": "GIÁM ĐỐC",
            "signer_name": "Nguyễn Văn An", "ministry": "Bộ Tài chính", "recipients": "Bộ Tài chính\nLưu: VT",
            "format": "pdf"})
    job = ProvinceReportJob.objects.get(cycle=cycle)
    assert job.status == "done", job.message
    download = client.get(reverse("dashboard:job_download", args=[job.pk]))
    unsigned = tmp_path / "bao-cao.pdf"
    unsigned.write_bytes(b"".join(download.streaming_content))

    # 2. sign it outside the application, in a subprocess, with pyHanko's command line
    (tmp_path / "key.pem").write_bytes(pki.signer.key_pem())
    (tmp_path / "cert.pem").write_bytes(pki.signer.pem.encode())
    (tmp_path / "chain.pem").write_bytes(pki.signer.chain_pem())
    signed = tmp_path / "bao-cao-da-ky.pdf"
    run = subprocess.run(
        [pyhanko_cli(), "sign", "addsig", "--field", "3/340,398,521,477/ChuKyGiamDoc", "--use-pades",
         "pemder", "--key", "key.pem", "--cert", "cert.pem", "--chain", "chain.pem", "--no-pass",
         str(unsigned), str(signed)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stderr

    # 3. upload the signed file back, from the page reached from the province report page
    report_page = client.get(reverse("dashboard:province_report", args=[cycle.pk])).content.decode()
    upload_url = reverse("dashboard:official_report", args=[cycle.pk])
    assert upload_url in report_page
    with signed.open("rb") as fh:
        page = client.post(upload_url, {"file": fh}, follow=True).content.decode()
    official = OfficialReport.objects.get(cycle=cycle)
    assert "Hợp lệ" in page and "Nguyễn Văn An" in page and official.sha256 in page
    assert official.job == job and official.source == "upload" and official.stored_by == scenario.reviewer

    # 4. published: the public page links the signed PDF, byte for byte what was uploaded
    scenario.plan.public_enabled = True
    scenario.plan.save()
    client.logout()
    public = client.get(reverse("public_plan", args=[scenario.plan.code])).content.decode()
    link = reverse("dashboard:public_official_report", args=[scenario.plan.code, official.pk])
    assert link in public
    assert b"".join(client.get(link).streaming_content) == signed.read_bytes()
