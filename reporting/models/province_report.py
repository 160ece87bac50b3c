"""The province report (báo cáo tỉnh): per-plan document defaults, and background generation jobs.

The defaults fill the form a reviewer completes before generating; the job records one
generation (queued → running → done/failed) so a status page can show its progress.
"""
import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tasks.models import Plan

from reporting.models.reports import ReportingCycle, free_text, text_limits

__all__ = ["DEFAULT_RECIPIENTS", "ProvinceReportJob", "ProvinceReportSettings", "new_document_id"]


def new_document_id() -> str:
    return uuid.uuid4().hex

DEFAULT_RECIPIENTS = "\n".join([
    "{ministry} (để báo cáo);",
    "Thường trực UBND tỉnh (để báo cáo);",
    "Các sở, ban, ngành, UBND cấp huyện;",
    "Lưu: VT.",
])


class ProvinceReportSettings(models.Model):
    """What a plan's province report says by default: number, signer, recipients, the ministry."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="province_report_settings")
    number_pattern = models.CharField(
        _("mẫu số văn bản"), max_length=80, default="     /BC-{abbr}",
        help_text=_("{abbr}: tên viết tắt cơ quan đầu mối; {year}: năm báo cáo. Ví dụ “     /BC-STC”."),
    )
    place = models.CharField(_("địa danh"), max_length=80, blank=True,
                             help_text=_("Trống: tên tỉnh/thành phố của kế hoạch, ví dụ “Bình Dương”."))
    signer_name = models.CharField(_("người ký"), max_length=120, blank=True)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=120, default="GIÁM ĐỐC")
    signer_authority = models.CharField(_("thẩm quyền ký"), max_length=40, blank=True,
                                        help_text=_("Ví dụ “KT. GIÁM ĐỐC” khi cấp phó ký thay."))
    recipients = free_text(_("nơi nhận"), default=DEFAULT_RECIPIENTS,
                           help_text=_("Mỗi dòng một nơi nhận; {ministry} là Bộ nhận báo cáo."))
    ministry_name = models.CharField(_("Bộ nhận báo cáo"), max_length=255, blank=True,
                                     help_text=_("Trống: theo kế hoạch (từ năm 2025 là Bộ Tài chính)."))

    class Meta:
        verbose_name = _("mặc định báo cáo tỉnh")
        verbose_name_plural = _("mặc định báo cáo tỉnh")
        constraints = text_limits("provincereportsettings", "recipients")

    def __str__(self):
        return f"{self._meta.verbose_name} – {self.plan.number}"

    @property
    def ministry(self) -> str:
        return self.ministry_name or self.plan.ministry_name


class ProvinceReportJob(models.Model):
    """One generation of the province report; safe to run twice (a finished job is left alone).

    While it runs, its worker refreshes `heartbeat_at` at every step (reporting.province.jobs). A
    running job silent for longer than the lease has lost its worker (without a broker it runs
    inside a web request, which a restart ends): see `is_stalled`."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang tạo")
        DONE = "done", _("Hoàn thành")
        FAILED = "failed", _("Lỗi")

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "Word (.docx)"
        XLSX = "xlsx", "Excel (.xlsx)"

    cycle = models.ForeignKey(ReportingCycle, on_delete=models.CASCADE, related_name="province_report_jobs")
    format = models.CharField(_("định dạng"), max_length=5, choices=Format.choices, default=Format.PDF)
    params = models.JSONField(_("thông tin văn bản"), default=dict, blank=True)
    status = models.CharField(_("trạng thái"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    message = models.CharField(_("thông báo"), max_length=255, blank=True)
    file_path = models.CharField(_("tệp"), max_length=255, blank=True,
                                 help_text=_("Đường dẫn tương đối trong MEDIA_ROOT."))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("hoạt động lần cuối"), null=True, blank=True,
                                        help_text=_("Làm mới ở mỗi bước khi đang tạo."))
    attempts = models.PositiveSmallIntegerField(_("số lần chạy"), default=0,
                                                help_text=_("Số lần một worker đã nhận tạo báo cáo này."))
    # Written into the PDF's metadata: how a signed copy uploaded later is recognised as this report.
    document_id = models.CharField(_("mã văn bản"), max_length=32, blank=True, default=new_document_id,
                                   editable=False)
    sign = models.BooleanField(_("ký số trên máy chủ"), default=False)
    # A job may instead add the organisation's signature to an official report signed by a person.
    countersign = models.ForeignKey("reporting.OfficialReport", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("ký bổ sung cho"))
    replacement_reason = free_text(
        _("lý do tạo lại"), blank=True,
        help_text=_("Bắt buộc khi kỳ đã có báo cáo chính thức (đã ký): báo cáo mới sẽ thay thế bản đó."))

    class Meta:
        verbose_name = _("lượt tạo báo cáo tỉnh")
        verbose_name_plural = _("lượt tạo báo cáo tỉnh")
        ordering = ["-created_at"]
        constraints = text_limits("provincereportjob", "replacement_reason")

    def __str__(self):
        return f"{self.cycle} – {self.format} – {self.get_status_display()}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def last_sign_of_life(self):
        return self.heartbeat_at or self.started_at or self.created_at

    def is_stalled(self, now=None) -> bool:
        """The rule: a running job whose worker has given no sign of life for longer than
        PROVINCE_REPORT_JOB_LEASE_MINUTES has stopped without finishing."""
        lease = dt.timedelta(minutes=settings.PROVINCE_REPORT_JOB_LEASE_MINUTES)
        return self.status == self.Status.RUNNING and self.last_sign_of_life < (now or timezone.now()) - lease
