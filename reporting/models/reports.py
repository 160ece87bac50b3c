"""Reporting cycles, the progress reports agencies owe in each, and everything around them:
review events, contributions from supporting agencies, deadline extensions, evidence."""
import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agencies.models import Agency, Jurisdiction
from tasks.models import Plan, PlanItem

VN = ZoneInfo("Asia/Ho_Chi_Minh")

# The one length limit of every free text typed into the reporting models (a report's results,
# outputs, difficulties and proposals, comments, contributions, extension reasons, recipients):
# about eight pages of text, and well under the 32,767 characters of an Excel cell, so the offline
# workbook always holds a text whole. Enforced by the models (max_length and a validator, so
# forms and the admin refuse) and by the database (a CHECK on the length of each field); every
# path refuses a longer text with a message naming the field and the limit, none cuts it.
TEXT_MAX_CHARS = 20_000

# The one money rule: the largest amount, in đồng, any amount field accepts (999 nghìn tỷ đồng).
# Fifteen digits, so Excel (doubles, 15 significant digits) holds it exactly and an unchanged
# workbook reads back exactly what was written. reporting.reports.forms.parse_money applies it to what is
# typed, the workbook to its cells, the models (validator) and the database (CHECK) to the rest.
MONEY_MAX = 999_999_999_999_999


def free_text(verbose_name, **kwargs) -> models.TextField:
    """A TextField for typed text, limited to TEXT_MAX_CHARS (add `text_limits` to the model's
    constraints for the database side)."""
    return models.TextField(verbose_name, max_length=TEXT_MAX_CHARS, validators=[MaxLengthValidator(TEXT_MAX_CHARS)],
                            **kwargs)


def text_limits(model_name: str, *fields: str) -> list[models.CheckConstraint]:
    """The database side of TEXT_MAX_CHARS: one CHECK per field, named <model>_<field>_max_chars."""
    return [models.CheckConstraint(condition=LessThanOrEqual(Length(name), TEXT_MAX_CHARS),
                                   name=f"{model_name}_{name}_max_chars") for name in fields]


def amount(verbose_name) -> models.BigIntegerField:
    """An amount in đồng, at most MONEY_MAX (add `amount_limits` to the constraints)."""
    return models.BigIntegerField(verbose_name, null=True, blank=True, validators=[MaxValueValidator(MONEY_MAX)])


def amount_limits(*fields: str) -> list[models.CheckConstraint]:
    """The database side of MONEY_MAX (the *_nonneg constraints keep the lower end)."""
    return [models.CheckConstraint(condition=Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__lte": MONEY_MAX}),
                                   name=f"report_{name}_at_most_max") for name in fields]


def choice_label(choices, value):
    """The label of one choice. Django's generated get_FOO_display builds a dict of every choice on
    each call, hashing (so translating) each lazy label: on a page listing reports that is most of
    the translation work. The enum looks the one value up."""
    try:
        return choices(value).label
    except ValueError:
        return value


def end_of_day(day: dt.date) -> dt.datetime:
    """A deadline "on 30 November" ends at 23:59:59.999999 that day in Vietnam's time zone."""
    return dt.datetime.combine(day, dt.time.max, tzinfo=VN)


class CycleQuerySet(models.QuerySet):
    def for_user(self, user):
        from tasks.models import Plan

        return self.filter(plan__in=Plan.objects.for_user(user))

    def open_on(self, day: dt.date):
        return self.filter(opens_on__lte=day, closes_on__gte=day)


class ReportingCycle(models.Model):
    class Kind(models.TextChoices):
        ANNUAL = "annual", _("Báo cáo năm")
        MIDTERM = "midterm", _("Sơ kết giữa kỳ")
        FINAL = "final", _("Tổng kết")

    # The plan whose deadlines and document defaults the cycle takes. With `jurisdiction` set, the
    # cycle collects reports for every plan that jurisdiction carries in the year (the merged
    # city's own plan and the legacy plans of the provinces merged into it), not only this one.
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="cycles")
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("tổng hợp mọi kế hoạch của"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="cycles",
        help_text=_("Để trống: kỳ báo cáo chỉ của kế hoạch trên. Chọn tỉnh/thành phố: kỳ báo cáo thu báo cáo của "
                    "mọi kế hoạch tỉnh/thành phố đó đang thực hiện trong năm."),
    )
    kind = models.CharField(_("loại kỳ báo cáo"), max_length=10, choices=Kind.choices, default=Kind.ANNUAL)
    year = models.PositiveSmallIntegerField(_("năm báo cáo"))
    opens_on = models.DateField(_("mở từ ngày"))
    closes_on = models.DateField(_("đóng ngày"))
    due_at = models.DateTimeField(_("hạn nộp"))
    ministry_due_on = models.DateField(_("hạn báo cáo Bộ"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CycleQuerySet.as_manager()

    class Meta:
        verbose_name = _("kỳ báo cáo")
        verbose_name_plural = _("kỳ báo cáo")
        ordering = ["plan", "-year", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "kind", "year"], name="cycle_unique_per_plan_kind_year"),
            models.CheckConstraint(condition=Q(closes_on__gte=F("opens_on")), name="cycle_dates_ordered"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.year} – {self.plan.number}"

    def get_kind_display(self):
        return choice_label(self.Kind, self.kind)

    # How a kind reads in a downloaded file's name: Vietnamese without diacritics, never the stored value.
    FILE_WORDS = {"annual": "hang-nam", "midterm": "so-ket-giua-ky", "final": "tong-ket"}

    @property
    def file_word(self) -> str:
        return self.FILE_WORDS.get(self.kind, "ky-bao-cao")

    def is_open(self, day: dt.date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.opens_on <= day <= self.closes_on

    @property
    def consolidated(self) -> bool:
        return self.jurisdiction_id is not None

    def plans(self) -> list:
        """The plans this cycle collects reports for: its plan, or every plan its jurisdiction
        carries in the year (the cycle's own plan first)."""
        if not self.jurisdiction_id:
            return [self.plan]
        from tasks.selectors import carried_plans

        plans = carried_plans(self.jurisdiction, self.year)
        return sorted(plans, key=lambda p: (p.pk != self.plan_id, p.jurisdiction_id != self.jurisdiction_id, p.code))

    def plan_ids(self) -> list[int]:
        if not self.jurisdiction_id:
            return [self.plan_id]
        if getattr(self, "_plan_ids", None) is None:
            self._plan_ids = [p.pk for p in self.plans()]
        return self._plan_ids


class Report(models.Model):
    """One progress report per plan item and cycle, owed by the agency responsible that year.

    `agency` is fixed when the report is created: after a merger the successor reports on new
    cycles, while earlier reports stay with the agency that wrote them.
    """

    class State(models.TextChoices):
        MISSING = "missing", _("Chưa báo cáo")
        DRAFT = "draft", _("Đang soạn")
        SUBMITTED = "submitted", _("Đã gửi")
        RETURNED = "returned", _("Trả lại để sửa")
        ACCEPTED = "accepted", _("Đã chấp nhận")

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Chưa triển khai")
        ON_SCHEDULE = "on_schedule", _("Đúng tiến độ")
        BEHIND = "behind", _("Chậm tiến độ")
        COMPLETED = "completed", _("Hoàn thành")
        SUSPENDED = "suspended", _("Tạm dừng")

    STATUS_HELP = {
        "not_started": _("Chưa bắt đầu thực hiện trong năm báo cáo."),
        "on_schedule": _("Đang thực hiện, đạt tiến độ theo kế hoạch."),
        "behind": _("Đang thực hiện nhưng chậm so với kế hoạch; nêu rõ khó khăn."),
        "completed": _("Đã hoàn thành toàn bộ nội dung, có sản phẩm."),
        "suspended": _("Tạm dừng theo chỉ đạo hoặc do điều kiện khách quan; nêu rõ lý do."),
    }

    cycle = models.ForeignKey(ReportingCycle, on_delete=models.CASCADE, related_name="reports")
    item = models.ForeignKey(PlanItem, on_delete=models.PROTECT, related_name="reports")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="reports",
                               help_text=_("Trống: mục chưa được giao cơ quan chủ trì."))
    state = models.CharField(_("trạng thái"), max_length=10, choices=State.choices, default=State.MISSING)
    status = models.CharField(_("tình hình thực hiện"), max_length=12, choices=Status.choices, blank=True)
    percent_complete = models.PositiveSmallIntegerField(_("tỷ lệ hoàn thành (%)"), null=True, blank=True)
    results = free_text(_("kết quả đạt được"), blank=True)
    outputs = free_text(_("sản phẩm đã có"), blank=True)
    difficulties = free_text(_("khó khăn, vướng mắc"), blank=True)
    proposals = free_text(_("đề xuất, kiến nghị"), blank=True)
    funds_central = amount(_("ngân sách trung ương (đồng)"))
    funds_local = amount(_("ngân sách địa phương (đồng)"))
    funds_oda = amount(_("vốn ODA (đồng)"))
    funds_other = amount(_("tư nhân, nguồn khác (đồng)"))
    version = models.PositiveIntegerField(default=0, help_text=_("Tăng sau mỗi lần lưu; chống ghi đè."))
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    late = models.BooleanField(_("nộp muộn"), default=False)
    reviewed_at = models.DateTimeField(_("thẩm định lúc"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    review_comment = free_text(_("ý kiến thẩm định"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    history = HistoricalRecords(excluded_fields=["updated_at"])


    class Meta:
        verbose_name = _("báo cáo")
        verbose_name_plural = _("báo cáo")
        ordering = ["cycle", "item__sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "item"], name="report_one_per_item_and_cycle"),
            models.CheckConstraint(condition=Q(percent_complete__isnull=True) | Q(percent_complete__lte=100),
                                   name="report_percent_at_most_100"),
            models.CheckConstraint(
                condition=Q(funds_central__isnull=True) | Q(funds_central__gte=0), name="report_funds_central_nonneg"),
            models.CheckConstraint(
                condition=Q(funds_local__isnull=True) | Q(funds_local__gte=0), name="report_funds_local_nonneg"),
            models.CheckConstraint(condition=Q(funds_oda__isnull=True) | Q(funds_oda__gte=0), name="report_funds_oda_nonneg"),
            models.CheckConstraint(
                condition=Q(funds_other__isnull=True) | Q(funds_other__gte=0), name="report_funds_other_nonneg"),
            models.CheckConstraint(
                condition=Q(state__in=["missing", "draft", "submitted", "returned", "accepted"]), name="report_state_valid"),
            models.CheckConstraint(
                condition=~Q(state__in=["submitted", "accepted"]) | Q(submitted_at__isnull=False),
                name="report_submitted_has_time"),
            *amount_limits("funds_central", "funds_local", "funds_oda", "funds_other"),
            *text_limits("report", "results", "outputs", "difficulties", "proposals", "review_comment"),
        ]
        indexes = [
            models.Index(fields=["cycle", "agency", "state"]),
            models.Index(fields=["agency", "state"]),
            # Other systems sync by "changed since" (greenplan/api): pages in (updated_at, id) order.
            models.Index(fields=["updated_at", "id"], name="report_updated_at_id"),
        ]

    def __str__(self):
        return f"{self.item.code} – {self.cycle}"

    def get_state_display(self):
        return choice_label(self.State, self.state)

    def get_status_display(self):
        return choice_label(self.Status, self.status) if self.status else self.status

    @property
    def funds_total(self) -> int:
        return sum(v or 0 for v in (self.funds_central, self.funds_local, self.funds_oda, self.funds_other))

    @property
    def funds_entered(self) -> bool:
        """Whether any amount was entered: a total of 0 đ is shown only when someone wrote 0, never
        for a report whose funds were left empty (the pages show "—" then)."""
        return any(v is not None for v in (self.funds_central, self.funds_local, self.funds_oda, self.funds_other))

    @property
    def is_locked(self) -> bool:
        return self.state in (self.State.SUBMITTED, self.State.ACCEPTED)


class ReportEvent(models.Model):
    """The audit trail of every change of a report and of what bears on it: who, when, from, to,
    and why. Written by reporting.reports.workflow only."""

    class Kind(models.TextChoices):
        SAVE = "save", _("Lưu nháp")
        SUBMIT = "submit", _("Gửi")
        RETURN = "return", _("Trả lại")
        ACCEPT = "accept", _("Chấp nhận")
        REOPEN = "reopen", _("Mở lại")
        ASSIGN = "assign", _("Giao cơ quan")
        UPLOAD = "upload", _("Nộp qua Excel")
        ADMIN_EDIT = "admin_edit", _("Quản trị viên sửa")
        # An extension is the agency's for the whole cycle: each of its reports in the cycle gets the event.
        EXTENSION_REQUEST = "ext_ask", _("Đề nghị gia hạn")
        EXTENSION_GRANT = "ext_grant", _("Chấp thuận gia hạn")
        EXTENSION_REFUSE = "ext_refuse", _("Từ chối gia hạn")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(default=timezone.now)
    from_state = models.CharField(max_length=10, blank=True)
    to_state = models.CharField(max_length=10, blank=True)
    comment = free_text(None, blank=True)

    class Meta:
        verbose_name = _("sự kiện báo cáo")
        verbose_name_plural = _("sự kiện báo cáo")
        ordering = ["at", "pk"]
        constraints = text_limits("reportevent", "comment")

    def get_kind_display(self):
        return choice_label(self.Kind, self.kind)


def attachment_path(instance, filename):
    # Never the user's file name on disk: a random name, the original kept in the database.
    ext = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    return f"evidence/{instance.report.cycle_id}/{uuid.uuid4().hex}.{ext}"


class Attachment(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    # SHA-256 of the bytes: the same file is attached once per report (reporting/uploads.py).
    # Empty (NULL) for files attached before it was recorded.
    sha256 = models.CharField(_("SHA-256"), max_length=64, null=True, blank=True, editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("minh chứng")
        verbose_name_plural = _("minh chứng")
        ordering = ["uploaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["report", "sha256"], name="attachment_once_per_report"),
        ]

    def __str__(self):
        return self.original_name


class ContributionRequest(models.Model):
    """The lead agency asks a supporting agency for input, due before the report itself."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="contributions")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="contribution_requests")
    due_on = models.DateField(_("hạn góp ý"))
    message = free_text(_("nội dung đề nghị"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    answer = free_text(_("nội dung đóng góp"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    answered_at = models.DateTimeField(_("trả lời lúc"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("đề nghị phối hợp")
        verbose_name_plural = _("đề nghị phối hợp")
        ordering = ["due_on"]
        constraints = [models.UniqueConstraint(fields=["report", "agency"], name="contribution_once_per_agency"),
                       *text_limits("contributionrequest", "message", "answer")]

    @property
    def answered(self) -> bool:
        return self.answered_at is not None


class Extension(models.Model):
    """An agency asks for more time in a cycle; a reviewer grants a new date or refuses."""

    class State(models.TextChoices):
        REQUESTED = "requested", _("Đang chờ")
        GRANTED = "granted", _("Đã gia hạn")
        REFUSED = "refused", _("Từ chối")

    cycle = models.ForeignKey(ReportingCycle, on_delete=models.CASCADE, related_name="extensions")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="extensions")
    reason = free_text(_("lý do"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    proposed_due_on = models.DateField(_("hạn đề nghị"), null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.REQUESTED)
    new_due_at = models.DateTimeField(_("hạn mới"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = free_text(_("ý kiến"), blank=True)

    class Meta:
        verbose_name = _("gia hạn")
        verbose_name_plural = _("gia hạn")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "agency"], condition=Q(state="granted"),
                                    name="extension_one_granted_per_agency_cycle"),
            models.CheckConstraint(condition=~Q(state="granted") | Q(new_due_at__isnull=False),
                                   name="extension_granted_has_date"),
            *text_limits("extension", "reason", "decision_comment"),
        ]
