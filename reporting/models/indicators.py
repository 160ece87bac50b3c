"""Indicators: the national catalogue (Circular 10/2023/TT-BKHĐT), the indicators a plan adopts
with their baseline and targets, and the values agencies report each year.

A value moves through the same states as a report (draft, submitted, returned, accepted), by the
same rules (reporting.reports.workflow); reporting.indicators.values holds its moves.
"""
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agencies.models import Agency
from tasks.models import Plan, PlanItem

from reporting.models.reports import Report, ReportingCycle, choice_label, free_text, text_limits


class Indicator(models.Model):
    """One indicator: from the national set (plan empty) or a plan's own (plan set)."""

    class Direction(models.TextChoices):
        HIGHER = "higher", _("Càng cao càng tốt")
        LOWER = "lower", _("Càng thấp càng tốt")
        BAND = "band", _("Giữ trong khoảng")

    class Measure(models.TextChoices):
        # What the number is decides what values are possible: a share is 0–100, a count is a
        # whole number and never negative, a quantity may be anything the unit allows.
        SHARE = "share", _("Tỷ lệ (%)")
        COUNT = "count", _("Số đếm")
        QUANTITY = "quantity", _("Đại lượng")

    class Frequency(models.TextChoices):
        YEARLY = "yearly", _("Năm")
        BIENNIAL = "biennial", _("2 năm")
        FIVE_YEARLY = "five_yearly", _("5 năm")

    code = models.CharField(_("mã chỉ tiêu"), max_length=20, blank=True,
                            help_text=_("Mã theo Thông tư 10/2023/TT-BKHĐT; để trống khi chưa xác nhận."))
    national_code = models.CharField(_("mã chỉ tiêu thống kê quốc gia"), max_length=20, blank=True)
    name = models.CharField(_("tên chỉ tiêu"), max_length=300)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=300, blank=True)
    unit = models.CharField(_("đơn vị tính"), max_length=60, blank=True)
    measure = models.CharField(_("loại số liệu"), max_length=10, choices=Measure.choices, default=Measure.QUANTITY)
    direction = models.CharField(_("chiều tốt"), max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    frequency = models.CharField(_("kỳ công bố"), max_length=12, choices=Frequency.choices, blank=True)
    lead_agency_kind = models.CharField(_("loại cơ quan chủ trì"), max_length=120, blank=True)
    disaggregations = models.JSONField(_("phân tổ"), default=list, blank=True)
    additive = models.BooleanField(_("cộng được theo địa bàn"), default=False,
                                   help_text=_("Giá trị của các địa bàn cộng lại thành giá trị toàn tỉnh."))
    plan = models.ForeignKey(Plan, verbose_name=_("chỉ tiêu riêng của kế hoạch"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="own_indicators")

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        ordering = ["plan", "code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=Q(plan__isnull=True) & ~Q(code=""),
                                    name="indicator_national_code_unique"),
            models.UniqueConstraint(fields=["plan", "code"], condition=Q(plan__isnull=False) & ~Q(code=""),
                                    name="indicator_plan_code_unique"),
            models.CheckConstraint(condition=Q(direction__in=["higher", "lower", "band"]), name="indicator_direction_valid"),
            models.CheckConstraint(condition=Q(measure__in=["share", "count", "quantity"]), name="indicator_measure_valid"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}".strip()

    def get_direction_display(self):
        return choice_label(self.Direction, self.direction)


class PlanIndicator(models.Model):
    """An indicator a plan (or one of its themes or activities) adopts: the baseline, the targets
    and the agency that answers for the figure (followed through mergers like an activity's lead)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="indicators")
    item = models.ForeignKey(PlanItem, verbose_name=_("chủ đề/nhiệm vụ"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="indicators")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="adoptions")
    code = models.CharField(_("mã trong kế hoạch"), max_length=20,
                            help_text=_("Mã dùng trong báo cáo và tệp xuất; mặc định là mã chỉ tiêu."))
    baseline_value = models.DecimalField(_("giá trị cơ sở"), max_digits=20, decimal_places=4, null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("năm cơ sở"), null=True, blank=True)
    lead_agency = models.ForeignKey(Agency, verbose_name=_("cơ quan chịu trách nhiệm số liệu"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="indicators")
    tolerance = models.DecimalField(_("ngưỡng chấp nhận (%)"), max_digits=5, decimal_places=2, null=True, blank=True,
                                    help_text=_("Trống: dùng ngưỡng chung của hệ thống."))
    territories = models.JSONField(_("địa bàn"), default=list, blank=True,
                                   help_text=_("Các địa bàn báo cáo riêng (ví dụ các tỉnh cũ trước sáp nhập)."))
    sort_order = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("chỉ tiêu của kế hoạch")
        verbose_name_plural = _("chỉ tiêu của kế hoạch")
        ordering = ["plan", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="plan_indicator_code_unique"),
            models.CheckConstraint(condition=Q(baseline_value__isnull=True) | Q(baseline_year__isnull=False),
                                   name="plan_indicator_baseline_has_year"),
        ]

    def __str__(self):
        return f"{self.code} {self.indicator.name}".strip()

    def responsible_agency_id(self, year: int, lineage=None) -> int | None:
        """The agency answering for the figure in `year`: the lead followed through mergers that
        took effect by then (as an activity's lead is); None when unset or split undecided."""
        if self.lead_agency_id is None:
            return None
        if lineage is None:
            from agencies.lineage import Lineage

            lineage = Lineage.load()
        return lineage.responsible(self.lead_agency_id, year).agency_id


class Target(models.Model):
    """A target for one year, in one of the forms plans and Decision 1658/QĐ-TTg use."""

    class Kind(models.TextChoices):
        VALUE = "value", _("Đạt giá trị")
        RANGE = "range", _("Trong khoảng")
        MAINTAIN = "maintain", _("Duy trì")
        RATE = "rate", _("Thay đổi hằng năm (%)")
        CUT = "cut", _("Giảm so với năm gốc (%)")

    plan_indicator = models.ForeignKey(PlanIndicator, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("năm"))
    kind = models.CharField(_("dạng chỉ tiêu"), max_length=10, choices=Kind.choices)
    value = models.DecimalField(_("giá trị"), max_digits=20, decimal_places=4, null=True, blank=True)
    min = models.DecimalField(_("từ"), max_digits=20, decimal_places=4, null=True, blank=True)
    max = models.DecimalField(_("đến"), max_digits=20, decimal_places=4, null=True, blank=True)
    base_year = models.PositiveSmallIntegerField(_("năm gốc"), null=True, blank=True)

    class Meta:
        verbose_name = _("chỉ tiêu mục tiêu")
        verbose_name_plural = _("chỉ tiêu mục tiêu")
        ordering = ["plan_indicator", "year"]
        constraints = [
            models.UniqueConstraint(fields=["plan_indicator", "year"], name="target_one_per_year"),
            models.CheckConstraint(condition=Q(kind__in=["value", "range", "maintain", "rate", "cut"]),
                                   name="target_kind_valid"),
            models.CheckConstraint(condition=~Q(kind="range") | Q(min__isnull=False, max__isnull=False),
                                   name="target_range_has_bounds"),
            models.CheckConstraint(condition=~Q(kind="cut") | Q(value__isnull=False, base_year__isnull=False),
                                   name="target_cut_has_base"),
        ]

    def get_kind_display(self):
        return choice_label(self.Kind, self.kind)

    def clean(self):
        """The target's own rules, named by field: its year inside the plan's period, and the
        figures its form needs (a range its two ends in order, a cut its percentage and base year)."""
        errors = {}
        pi = getattr(self, "plan_indicator", None) if "plan_indicator" in self._state.fields_cache or self.plan_indicator_id else None
        plan = pi.plan if pi is not None and pi.plan_id else None
        if plan is not None and self.year is not None and not (plan.period_start <= self.year <= plan.period_end):
            errors["year"] = _("Năm %(year)s nằm ngoài thời kỳ của kế hoạch (%(start)s–%(end)s).") % {
                "year": self.year, "start": plan.period_start, "end": plan.period_end}
        if self.kind == self.Kind.RANGE:
            if self.min is None or self.max is None:
                errors["min"] = _("Chỉ tiêu dạng khoảng cần cả giá trị “từ” và “đến”.")
            elif self.min > self.max:
                errors["max"] = _("Giá trị “đến” phải không nhỏ hơn giá trị “từ”.")
        if self.kind == self.Kind.VALUE and self.value is None:
            errors["value"] = _("Cần nhập giá trị chỉ tiêu.")
        if self.kind == self.Kind.RATE and self.value is None and self.min is None and self.max is None:
            errors["value"] = _("Cần nhập tốc độ thay đổi hằng năm (%).")
        if self.kind == self.Kind.CUT:
            if self.value is None:
                errors["value"] = _("Cần nhập mức giảm (%) so với năm gốc.")
            if self.base_year is None:
                errors["base_year"] = _("Cần nhập năm gốc của mức giảm.")
            elif self.year is not None and self.base_year >= self.year:
                errors["base_year"] = _("Năm gốc phải trước năm của chỉ tiêu.")
        if errors:
            raise ValidationError(errors)


def indicator_evidence_path(instance, filename):
    ext = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    return f"evidence/indicators/{instance.plan_indicator_id}/{uuid.uuid4().hex}.{ext}"


class IndicatorValue(models.Model):
    """One year's figure of a plan indicator, for the whole province (territory empty) or one
    territory. It has a report's states and moves; `agency` is fixed when it is first written."""

    State = Report.State

    class Source(models.TextChoices):
        OFFICIAL = "official", _("Số liệu thống kê chính thức")
        ESTIMATE = "estimate", _("Ước tính của cơ quan")
        SURVEY = "survey", _("Điều tra, khảo sát")

    plan_indicator = models.ForeignKey(PlanIndicator, on_delete=models.CASCADE, related_name="values")
    cycle = models.ForeignKey(ReportingCycle, on_delete=models.PROTECT, related_name="indicator_values",
                              help_text=_("Kỳ báo cáo năm mà số liệu được nhập (hoặc điều chỉnh) trong đó."))
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="indicator_values")
    year = models.PositiveSmallIntegerField(_("năm số liệu"))
    territory = models.CharField(_("địa bàn"), max_length=120, blank=True)
    value = models.DecimalField(_("giá trị"), max_digits=20, decimal_places=4, null=True, blank=True)
    source = models.CharField(_("nguồn số liệu"), max_length=10, choices=Source.choices, blank=True)
    note = free_text(_("ghi chú"), blank=True)
    evidence = models.FileField(_("minh chứng"), upload_to=indicator_evidence_path, max_length=255, blank=True)
    evidence_name = models.CharField(_("tên tệp minh chứng"), max_length=255, blank=True)
    state = models.CharField(_("trạng thái"), max_length=10, choices=Report.State.choices, default=Report.State.DRAFT)
    revision = models.PositiveSmallIntegerField(_("số lần điều chỉnh"), default=0)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    review_comment = free_text(_("ý kiến thẩm định"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("số liệu chỉ tiêu")
        verbose_name_plural = _("số liệu chỉ tiêu")
        ordering = ["plan_indicator", "year", "territory"]
        constraints = [
            models.UniqueConstraint(fields=["plan_indicator", "year", "territory"], name="indicator_value_once_per_year"),
            models.CheckConstraint(condition=Q(state__in=["draft", "submitted", "returned", "accepted"]),
                                   name="indicator_value_state_valid"),
            models.CheckConstraint(condition=~Q(state__in=["submitted", "accepted"]) | Q(value__isnull=False),
                                   name="indicator_value_submitted_has_value"),
            *text_limits("indicatorvalue", "note", "review_comment"),
        ]
        indexes = [models.Index(fields=["plan_indicator", "state", "year"]), models.Index(fields=["agency", "state"])]

    def __str__(self):
        return f"{self.plan_indicator.code} {self.year} {self.territory}".strip()

    def get_state_display(self):
        return choice_label(Report.State, self.state)

    def get_source_display(self):
        return choice_label(self.Source, self.source) if self.source else ""

    @property
    def is_locked(self) -> bool:
        return self.state in (Report.State.SUBMITTED, Report.State.ACCEPTED)

    @property
    def revised(self) -> bool:
        return self.revision > 0


class IndicatorValueEvent(models.Model):
    """The audit trail of a value: every move and every revision (old and new figure, and why)."""

    class Kind(models.TextChoices):
        SAVE = "save", _("Lưu nháp")
        SUBMIT = "submit", _("Gửi")
        RETURN = "return", _("Trả lại")
        ACCEPT = "accept", _("Chấp nhận")
        REOPEN = "reopen", _("Mở lại")
        REVISE = "revise", _("Điều chỉnh số liệu")
        UPLOAD = "upload", _("Nộp qua Excel")

    value = models.ForeignKey(IndicatorValue, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(auto_now_add=True)
    from_state = models.CharField(max_length=10, blank=True)
    to_state = models.CharField(max_length=10, blank=True)
    old_value = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    new_value = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    comment = free_text(None, blank=True)

    class Meta:
        verbose_name = _("sự kiện số liệu chỉ tiêu")
        verbose_name_plural = _("sự kiện số liệu chỉ tiêu")
        ordering = ["at", "pk"]
        constraints = text_limits("indicatorvalueevent", "comment")

    def get_kind_display(self):
        return choice_label(self.Kind, self.kind)
