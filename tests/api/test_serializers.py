"""The reports' hand-built JSON (the sync endpoint's fast path) says exactly what DRF's field-by-field
rendering of the same declared fields says."""
from rest_framework import serializers

from greenplan.api.serializers import PublicReportSerializer, ReportSerializer
from reporting.models import Report
from tests.api.test_endpoints import fill


def test_the_hand_built_report_equals_drfs_rendering_of_the_declared_fields(indicators):
    w = fill(indicators)
    Report.objects.filter(pk=w.report_of(w.agency_b, "1.2.1").pk).update(late=True, funds_oda=7, review_comment="Đạt")
    reports = Report.objects.filter(cycle=w.cycle).select_related("cycle__plan", "item__plan", "agency")
    assert reports.count() == 4
    for report in reports.prefetch_related("attachments"):
        for cls in (ReportSerializer, PublicReportSerializer):
            generic = serializers.Serializer.to_representation(cls(), report)
            assert cls(report).data == generic, (cls.__name__, report.item.code)
