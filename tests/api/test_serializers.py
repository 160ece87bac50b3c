"""The reports' hand-written JSON (the sync endpoint's fast path, from `.values()` rows) says exactly
what DRF's field-by-field rendering of the declared serializers says for the same reports."""
from rest_framework import serializers

from greenplan.api.serializers import (
    EVIDENCE_COLUMNS, PublicReportSerializer, ReportSerializer, report_columns, report_json,
)
from reporting.models import Attachment, Report


def test_the_hand_written_report_equals_drfs_rendering_of_the_declared_fields(api_scene):
    w = api_scene
    Report.objects.filter(pk=w.report_of(w.agency_b, "1.2.1").pk).update(late=True, funds_oda=7, review_comment="Đạt")
    Report.objects.filter(pk=w.report_of(w.agency_a, "1.1.3").pk).update(agency=None)
    reports = Report.objects.filter(cycle=w.cycle).select_related("cycle__plan", "item__plan", "agency")
    assert reports.count() == 4 and Attachment.objects.count() == 1
    for report in reports.prefetch_related("attachments"):
        evidence = list(Attachment.objects.filter(report=report).values(*EVIDENCE_COLUMNS))
        for cls, public in ((ReportSerializer, False), (PublicReportSerializer, True)):
            row = Report.objects.filter(pk=report.pk).values(*report_columns(public=public)).get()
            written = report_json(row, None if public else evidence)
            assert written == serializers.Serializer.to_representation(cls(), report), (cls.__name__, report.item.code)
