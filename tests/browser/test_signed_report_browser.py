"""A reviewer, starting at the login page, clicks through to the province report's official-report
page in Chromium and uploads a copy of the 2026 report signed outside; the page shows it verified.
A screenshot goes to test-results/ (gitignored) for a human to look at."""
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from reporting.models import OfficialReport
from tests.factories import PASSWORD
from tests.reporting.province.certs import generate, job_pdf, sign_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[2] / "test-results"


def test_a_reviewer_uploads_a_signed_report_by_clicking_from_the_login_page(page, live_server, scenario, pki,
                                                                            trusted_root, tmp_path):
    signed = tmp_path / "bao-cao-2026-da-ky.pdf"
    unsigned = job_pdf(generate(scenario.cycle, scenario.reviewer))
    # pyHanko's synchronous API runs its own event loop, which Playwright's (in this thread) forbids.
    with ThreadPoolExecutor(max_workers=1) as pool:
        signed.write_bytes(pool.submit(sign_as, unsigned, pki.signer, tmp_path).result())
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", scenario.reviewer.username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    page.wait_for_load_state()
    # The reviewer lands on the review queue; the menu leads to the province report of the cycle at hand.
    page.locator("nav").get_by_role("link", name="Báo cáo tỉnh", exact=True).click()
    page.locator("#official-report-link").click()
    assert page.locator("h1").inner_text().startswith("Báo cáo chính thức (đã ký)")

    page.set_input_files("#signed-upload input[type=file]", str(signed))
    page.locator("#signed-upload button").click()
    page.wait_for_load_state()

    current = page.locator("#official-current")
    assert "Hợp lệ" in current.inner_text() and "Nguyễn Văn An" in current.inner_text()
    assert OfficialReport.objects.get().sha256 in current.inner_text()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "official-report-uploaded.png"), full_page=True)
    assert not errors, errors
