"""The appendix import in the Django admin: a dry-run preview, then confirm; errors write nothing."""
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from tasks.exports import plan_xlsx
from tasks.importers.load import import_appendix
from tasks.models import Plan, PlanItem
from tasks.sheet_format import ITEMS_SHEET
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
DOCUMENT = Path(settings.BASE_DIR) / "fixtures" / "ke-hoach-396-tang-truong-xanh-2023-2030.txt"
URL = "/admin/tasks/planitem/import/"


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def _revised_workbook(plan) -> bytes:
    wb = load_workbook(io.BytesIO(plan_xlsx(plan)))
    ws = wb[ITEMS_SHEET]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "3.1.1":
            row[4].value = "Tên đã sửa"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_the_admin_previews_changes_before_writing_and_then_applies_them(admin_client):
    plan = Plan.objects.get(code=import_appendix(DOCUMENT).plan_code)
    data = _revised_workbook(plan)
    response = admin_client.post(URL, {"format": "0", "resource": "0",
                                       "import_file": SimpleUploadedFile("phu-luc.xlsx", data)})
    body = response.content.decode()
    assert response.status_code == 200 and "3.1.1" in body and "title" in body
    assert PlanItem.objects.get(plan=plan, code="3.1.1").title != "Tên đã sửa"  # preview wrote nothing
    confirm = {name: value for name, value in re.findall(r'name="(\w+)" value="([^"]*)"', body)}
    response = admin_client.post("/admin/tasks/planitem/process_import/", confirm)
    assert response.status_code == 302
    assert PlanItem.objects.get(plan=plan, code="3.1.1").title == "Tên đã sửa"


def test_the_admin_shows_every_error_and_writes_nothing(admin_client):
    plan = Plan.objects.get(code=import_appendix(DOCUMENT).plan_code)
    wb = load_workbook(io.BytesIO(plan_xlsx(plan)))
    wb[ITEMS_SHEET].cell(row=3, column=9).value = "năm sau"
    buf = io.BytesIO()
    wb.save(buf)
    before = list(PlanItem.objects.values())
    response = admin_client.post(URL, {"format": "0", "resource": "0",
                                       "import_file": SimpleUploadedFile("loi.xlsx", buf.getvalue())})
    body = response.content.decode()
    assert "loi.xlsx, trang “Mục kế hoạch”, hàng 3, cột “Năm bắt đầu”" in body
    assert "process_import" not in body  # no confirm button
    assert list(PlanItem.objects.values()) == before


def test_only_staff_who_may_add_plan_items_can_import_a_plan(client):
    """Being staff is not enough: an import writes plan items, so it takes the permission to add them."""
    from django.contrib.auth.models import Permission

    clerk = UserFactory(username="clerk", is_staff=True)
    client.force_login(clerk)
    assert client.get(URL).status_code == 403
    clerk.user_permissions.add(Permission.objects.get(codename="add_planitem"),
                               Permission.objects.get(codename="view_planitem"))
    assert client.get(URL).status_code == 200


def test_the_preview_speaks_vietnamese_with_counts_and_old_and_new_values(admin_client):
    plan = Plan.objects.get(code=import_appendix(DOCUMENT).plan_code)
    old_title = PlanItem.objects.get(plan=plan, code="3.1.1").title
    body = admin_client.post(URL, {"format": "0", "resource": "0",
                                   "import_file": SimpleUploadedFile("phu-luc.xlsx", _revised_workbook(plan))}
                             ).content.decode()
    assert 'value="Xác nhận nhập"' in body and "Confirm import" not in body
    assert re.search(r"thay đổi: <strong>1</strong>", body)
    assert "<td>tên nhiệm vụ</td>" in body and f"<td>{old_title[:40]}" in body and "<td>Tên đã sửa</td>" in body


def test_an_unchanged_file_says_nothing_changed_and_offers_no_confirmation(admin_client):
    plan = Plan.objects.get(code=import_appendix(DOCUMENT).plan_code)
    body = admin_client.post(URL, {"format": "0", "resource": "0",
                                   "import_file": SimpleUploadedFile("phu-luc.xlsx", plan_xlsx(plan))}).content.decode()
    assert "Không có gì thay đổi" in body and "process_import" not in body


def test_the_import_button_and_form_are_in_vietnamese(admin_client):
    assert "Nhập từ tệp Excel" in admin_client.get("/admin/tasks/planitem/").content.decode()
    body = admin_client.get(URL).content.decode()
    assert "Tệp cần nhập" in body and 'value="Chạy thử"' in body and ">Submit<" not in body


def test_the_import_log_shows_counts_in_words_and_no_reason_codes(admin_client):
    from tasks.models import ImportLog

    import_appendix(DOCUMENT)
    log = ImportLog.objects.exclude(status="failed").first()
    body = admin_client.get(f"/admin/tasks/importlog/{log.pk}/change/").content.decode()
    assert "chủ đề: " in body and "hoạt động: " in body
    assert '{"themes"' not in body and "{&quot;themes" not in body
    assert not re.search(r"\[[a-z]+(?:_[a-z]+)+\]", body)
