"""Saving a checked upload: every changed row through `workflow.report_save(via="upload")`, all
or nothing."""
from __future__ import annotations

from django.db import transaction

from reporting.reports import workflow
from reporting.workbook.layout import INDICATOR_HEADERS, INDICATOR_SHEET, INDICATOR_VALUE_COLUMN
from reporting.workbook.read import Preview, Problem


class ApplyFailed(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def apply(preview: Preview, *, user, cycle=None) -> int:
    """Save every changed row, all or nothing; returns the number of reports and figures saved. The
    figures of the indicators sheet go through reporting.indicators.values, as from the indicators
    page (a note typed beside a figure far from last year's confirms it)."""
    if not preview.ok:
        raise ApplyFailed(preview.problems)
    with transaction.atomic():
        for change in preview.changes:
            try:
                workflow.report_save(change.report, user=user, data=change.data, base_version=change.version,
                                     via="upload")
            except workflow.WorkflowError as exc:
                # Leaving the atomic block with the exception rolls back the rows saved before it.
                raise ApplyFailed([Problem(str(exc), row=change.row, code=change.report.item.code,
                                           column=", ".join(f.column for f in change.fields))]) from exc
        for change in preview.indicator_changes:
            _save_figure(change, user=user, cycle=cycle)
    return len(preview.changes) + len(preview.indicator_changes)


def _save_figure(change, *, user, cycle) -> None:
    from reporting.indicators import values as moves
    from reporting.indicators.numbers import NumberError

    try:
        if change.value is not None:
            moves.value_save(change.value, user=user, value_raw=change.new, note=change.note or None,
                             confirmed=bool(change.note), via="upload")
        else:
            moves.value_create(plan_indicator=change.plan_indicator, cycle=cycle, year=change.year, user=user,
                               value=change.new, territory=change.territory, note=change.note,
                               confirmed=bool(change.note), via="upload")
    except (workflow.WorkflowError, NumberError) as exc:
        message = str(exc)
        if isinstance(exc, moves.JumpToConfirm):
            message = f"{exc.warning} (ghi ở cột “{INDICATOR_HEADERS[-1]}” để xác nhận)"
        raise ApplyFailed([Problem(message, row=change.row, code=change.plan_indicator.code, sheet=INDICATOR_SHEET,
                                   column=INDICATOR_HEADERS[INDICATOR_VALUE_COLUMN - 1])]) from exc
