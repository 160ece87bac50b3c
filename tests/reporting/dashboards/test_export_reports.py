"""The national Excel export (`manage.py export_reports --all`): every report one row, streamed in
write-only mode; text typed by users stays text, never a formula."""
import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from reporting.dashboards.export import ALL_REPORTS_HEADERS, all_reports_xlsx
from reporting.models import Report

pytestmark = pytest.mark.django_db


def test_every_report_is_one_row_and_text_stays_text(scenario, tmp_path):
    report = Report.objects.order_by("pk").first()
    Report.objects.filter(pk=report.pk).update(results="=HYPERLINK(\"http://x\")", difficulties="-2")
    path = tmp_path / "all.xlsx"
    n = all_reports_xlsx(path)
    assert n == Report.objects.count()
    ws = load_workbook(path).active
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == ALL_REPORTS_HEADERS
    assert len(rows) == n + 1
    by_id = {row[-1]: row for row in rows[1:]}
    assert set(by_id) == set(Report.objects.values_list("pk", flat=True))
    cells = {c.value: c for c in ws[[r[-1] for r in rows].index(report.pk) + 1]}
    formula = cells["=HYPERLINK(\"http://x\")"]
    assert formula.data_type == "s"  # a string cell, not a formula
    assert cells["-2"].data_type == "s"


def test_the_command_writes_the_file_and_wants_all(scenario, tmp_path):
    path = tmp_path / "national.xlsx"
    call_command("export_reports", "--all", "-o", str(path))
    assert load_workbook(path).active.max_row == Report.objects.count() + 1
    with pytest.raises(CommandError):
        call_command("export_reports", "-o", str(path))
