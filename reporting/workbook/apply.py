"""Saving a checked upload: every changed row through `workflow.report_save(via="upload")`, all
or nothing."""
from __future__ import annotations

from django.db import transaction

from reporting.reports import workflow
from reporting.workbook.read import Preview, Problem


class ApplyFailed(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def apply(preview: Preview, *, user) -> int:
    """Save every changed row, all or nothing; returns the number of reports saved."""
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
    return len(preview.changes)
