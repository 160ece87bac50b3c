"""The text reader takes the appendix as a web copy gives it (` | ` cells, markdown or HTML rows),
and refuses a text whose appendix yields no rows instead of writing a plan of placeholders."""
from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from agencies.models import Agency
from tasks.importers.load import import_appendix
from tasks.importers.tabular import tabs_from_web_copy
from tasks.models import ImportLog, Plan, PlanItem

pytestmark = pytest.mark.django_db
SCAN = Path(settings.BASE_DIR) / "fixtures" / "ke-hoach-396-tang-truong-xanh-2023-2030.txt"


class _Rollback(Exception):
    pass


def _exported(path: Path) -> dict:
    """Import, export as JSON, and roll everything back: each copy starts from an empty database."""
    out = path.with_suffix(".json")
    try:
        with transaction.atomic():
            report = import_appendix(path)
            call_command("export_plan", "--plan", report.plan_code, "--format", "json", "-o", str(out),
                         stderr=StringIO())
            raise _Rollback
    except _Rollback:
        pass
    return json.loads(out.read_text(encoding="utf-8"))


def _without_lines(data: dict) -> dict:
    """Source lines are the one thing a copy may change; nothing else may differ."""
    text = json.dumps(data, ensure_ascii=False)
    import re

    return json.loads(re.sub(r"(dòng|Dòng|dòng tiếp) \d+(?:[–-]\d+)?", r"\1 N", text))


def test_the_pipe_separated_web_copy_of_plan_396_imports_like_the_tab_separated_scan(tmp_path):
    tabs = tmp_path / "tab" / "ke-hoach-396.txt"
    pipes = tmp_path / "pipe" / "ke-hoach-396.txt"
    tabs.parent.mkdir()
    pipes.parent.mkdir()
    text = SCAN.read_text(encoding="utf-8")
    tabs.write_text(text, encoding="utf-8")
    pipes.write_text(text.replace("\t", " | "), encoding="utf-8")
    a, b = _exported(tabs), _exported(pipes)
    assert len(a["activities"]) > 140
    assert _without_lines(a) == _without_lines(b)
    assert not Plan.objects.exists()


def test_a_markdown_table_and_html_rows_are_read_as_the_appendix():
    md = "| TT | Nội dung | Thời gian | Cơ quan chủ trì |\n|---|---|---|---|\n| 1.1.1 | Việc A | 2024 | Sở Xây dựng |"
    assert tabs_from_web_copy(md).split("\n")[2] == "1.1.1\tViệc A\t2024\tSở Xây dựng"
    html = "<table><tr><td>1.1.1</td><td>Việc A</td><td>2024</td><td>Sở Xây dựng</td></tr></table>"
    assert "1.1.1\tViệc A\t2024\tSở Xây dựng" in tabs_from_web_copy(html)


def test_a_markdown_copy_of_a_small_plan_imports(tmp_path):
    path = tmp_path / "ke-hoach-web.md"
    path.write_text(
        "ỦY BAN NHÂN DÂN TỈNH NINH THUẬN\nSố: 12/KH-UBND\nNinh Thuận, ngày 02 tháng 01 năm 2024\n"
        "KẾ HOẠCH\nHành động tăng trưởng xanh tỉnh Ninh Thuận giai đoạn 2024 - 2030\n\nPHỤ LỤC\n"
        "| TT | Nội dung nhiệm vụ, hoạt động cụ thể | Thời gian thực hiện | Cơ quan chủ trì | Cơ quan phối hợp |\n"
        "|---|---|---|---|---|\n"
        "| 1 | Năng lượng tái tạo | | | |\n"
        "| 1.1 | Điện gió | | | |\n"
        "| 1.1.1 | Khảo sát tiềm năng điện gió (Cao) | 2024 - 2026 | Sở Công Thương | Sở Tài chính |\n",
        encoding="utf-8")
    report = import_appendix(path)
    item = PlanItem.objects.get(plan__code=report.plan_code, code="1.1.1")
    assert (item.start_year, item.end_year, item.high_priority, item.lead_agency.name) == (2024, 2026, True, "Sở Công Thương")
    assert [a.name for a in item.supporting_agencies.all()] == ["Sở Tài chính"]


def test_a_text_without_an_appendix_table_is_refused_with_nothing_written(tmp_path):
    # The body of plan 396 (its themes and task groups) without the appendix table.
    text = SCAN.read_text(encoding="utf-8")
    body = "\n".join(line for line in text.split("\n") if "\t" not in line)
    path = tmp_path / "ke-hoach-khong-bang.txt"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("import_appendix", str(path), stdout=StringIO())
    message = str(exc.value)
    assert "không tìm thấy bảng Phụ lục có dòng hoạt động nào" in message
    assert "tệp Word" in message and "--template" in message
    assert not Plan.objects.exists() and not PlanItem.objects.exists() and not Agency.objects.exists()
    log = ImportLog.objects.get()
    assert log.status == ImportLog.Status.FAILED and "ke-hoach-khong-bang.txt" in log.report
