"""Deadline reminders and review notices: the per-plan policy, the sending log (which is also the
claim table and the outbox), the in-app notifications, and a record of every reminder run.

A `Notice` row is created by a conditional insert on its unique `key` before anything is sent, so a
reminder can never be planned twice; its `state` then moves queued → sending → sent, each move a
conditional UPDATE (see reporting/notices.py). A row left in "sending" by a worker that died is
taken again once its lease has run out.
"""
import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agencies.models import Agency
from tasks.models import Plan

from reporting.models.reports import Report, ReportingCycle

__all__ = ["Notice", "Notification", "ReminderPolicy", "ReminderRun"]


def default_days_before():
    return [30, 14, 7, 3, 1, 0]


def default_short_days_before():
    return [7, 3, 1]


def _validate_days(value):
    if not isinstance(value, list) or not all(isinstance(d, int) and 0 <= d <= 366 for d in value):
        raise ValidationError(_("Nhập danh sách số ngày (0–366), ví dụ [30, 14, 7, 3, 1, 0]."))


class ReminderPolicy(models.Model):
    """When a plan's agencies are reminded. A plan without a row uses the defaults below."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="reminder_policy")
    enabled = models.BooleanField(_("gửi nhắc hạn"), default=True)
    days_before = models.JSONField(
        _("nhắc trước hạn (ngày)"), default=default_days_before, validators=[_validate_days],
        help_text=_("Số ngày trước hạn nộp của từng cơ quan; 0 = đúng ngày hết hạn."))
    overdue_every_days = models.PositiveSmallIntegerField(
        _("nhắc quá hạn mỗi (ngày)"), default=3, help_text=_("0 = không nhắc sau khi quá hạn."))
    digest_days_before = models.PositiveSmallIntegerField(
        _("tổng hợp hằng ngày cho Sở đầu mối từ (ngày trước hạn)"), default=7)
    digest_enabled = models.BooleanField(_("gửi bản tổng hợp hằng ngày"), default=True)
    contribution_days_before = models.JSONField(
        _("nhắc góp ý phối hợp trước hạn (ngày)"), default=default_short_days_before, validators=[_validate_days])
    ministry_days_before = models.JSONField(
        _("nhắc cơ quan đầu mối trước hạn báo cáo Bộ (ngày)"), default=default_short_days_before,
        validators=[_validate_days])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("chính sách nhắc hạn")
        verbose_name_plural = _("chính sách nhắc hạn")

    def __str__(self):
        return f"{_('Nhắc hạn')} – {self.plan.number}"

    @classmethod
    def defaults(cls, plan_id=None) -> "ReminderPolicy":
        return cls(plan_id=plan_id)


class NoticeQuerySet(models.QuerySet):
    def claimable(self, now: dt.datetime, lease: dt.timedelta):
        """Rows a worker may take now: queued and due for a (re)try, or left "sending" by a
        worker whose lease ran out (it died, or the machine did)."""
        return self.filter(
            Q(state=Notice.State.QUEUED, next_attempt_at__isnull=True)
            | Q(state=Notice.State.QUEUED, next_attempt_at__lte=now)
            | Q(state=Notice.State.SENDING, claimed_at__lt=now - lease)
        )


class Notice(models.Model):
    """One message to send (a reminder, a digest, a review notice): its key, what it is about, and
    its delivery: attempts, errors, and when it went out."""

    class Kind(models.TextChoices):
        DUE = "due", _("Nhắc hạn nộp báo cáo")
        OVERDUE = "overdue", _("Báo cáo quá hạn")
        DIGEST = "digest", _("Tổng hợp cho Sở đầu mối")
        CONTRIBUTION = "contribution", _("Nhắc góp ý phối hợp")
        MINISTRY = "ministry", _("Nhắc hạn báo cáo Bộ")
        RETURNED = "returned", _("Báo cáo bị trả lại")
        ACCEPTED = "accepted", _("Báo cáo được chấp nhận")
        INPUT = "input", _("Đề nghị phối hợp mới")
        EXT_REQUEST = "ext_request", _("Đề nghị gia hạn")
        EXT_DECISION = "ext_decision", _("Quyết định về gia hạn")

    class State(models.TextChoices):
        QUEUED = "queued", _("Chờ gửi")
        SENDING = "sending", _("Đang gửi")
        SENT = "sent", pgettext_lazy("notice", "Đã gửi")
        SKIPPED = "skipped", _("Không cần gửi")
        FAILED = "failed", _("Lỗi, đã ngừng thử")

    key = models.CharField(_("khóa"), max_length=200, unique=True)
    kind = models.CharField(_("loại"), max_length=12, choices=Kind.choices)
    rule = models.CharField(_("quy tắc"), max_length=20, help_text=_("d-7: 7 ngày trước hạn; d-0: đúng hạn."))
    scheduled_for = models.DateField(_("ngày theo lịch"), null=True, blank=True)
    cycle = models.ForeignKey(ReportingCycle, null=True, blank=True, on_delete=models.CASCADE, related_name="notices")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="notices")
    report = models.ForeignKey(Report, null=True, blank=True, on_delete=models.CASCADE, related_name="notices")
    payload = models.JSONField(default=dict, blank=True)
    recipients = models.JSONField(_("người nhận"), default=list, blank=True)
    subject = models.CharField(_("tiêu đề"), max_length=255, blank=True)
    state = models.CharField(_("trạng thái"), max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("số lần thử"), default=0)
    next_attempt_at = models.DateTimeField(_("thử lại lúc"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("nhận gửi lúc"), null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    batch = models.CharField(max_length=32, blank=True, db_index=True,
                             help_text=_("Lần chạy đã tạo thông báo này."))
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("thư thông báo")
        verbose_name_plural = _("nhật ký gửi thông báo")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"]),
            models.Index(fields=["cycle", "agency", "kind"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["queued", "sending", "sent", "skipped", "failed"]), name="notice_state_valid"),
            models.CheckConstraint(condition=~Q(state="sent") | Q(sent_at__isnull=False), name="notice_sent_has_time"),
        ]

    def __str__(self):
        return self.subject or self.key


class Notification(models.Model):
    """What a user sees in the portal: one row per recipient of a notice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    notice = models.ForeignKey(Notice, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(_("tiêu đề"), max_length=255)
    body = models.TextField(_("nội dung"), blank=True)
    url = models.CharField(_("đường dẫn"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("lúc"), default=timezone.now)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"])]
        constraints = [models.UniqueConstraint(fields=["notice", "user"], name="notification_once_per_user")]

    def __str__(self):
        return self.title


class ReminderRun(models.Model):
    """One run of the reminder job: proof that it ran, and what it planned."""

    day = models.DateField(_("ngày"))
    started_at = models.DateTimeField(_("bắt đầu"), default=timezone.now)
    finished_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    planned = models.PositiveIntegerField(_("thông báo mới"), default=0)
    dispatched = models.PositiveIntegerField(_("đã chuyển đi gửi"), default=0)
    error = models.TextField(_("lỗi"), blank=True)

    class Meta:
        verbose_name = _("lần chạy nhắc hạn")
        verbose_name_plural = _("các lần chạy nhắc hạn")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.day:%d/%m/%Y} {timezone.localtime(self.started_at):%H:%M}"
