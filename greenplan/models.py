"""Project-wide records that belong to no domain app: the password-reset requests that rate-limit
the "forgot password" form (greenplan/accounts.py)."""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PasswordResetRequest(models.Model):
    """One use of the "forgot password" form. Counted in the database, so the limit holds across
    every web process (the default cache is per process), and nothing names the account: only a
    hash of the typed address is kept."""

    ip = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    email_hash = models.CharField(_("mã băm địa chỉ thư"), max_length=64, db_index=True)
    at = models.DateTimeField(_("lúc"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("yêu cầu đặt lại mật khẩu")
        verbose_name_plural = _("yêu cầu đặt lại mật khẩu")
        indexes = [models.Index(fields=["ip", "at"])]


class ApiToken(models.Model):
    """A read-only key for another system (greenplan/api/). Only the SHA-256 of the key is kept:
    the key itself is shown once, when it is made, and cannot be read back. What a token sees is
    what its user sees in the portal, narrowed to its jurisdictions.

    The rate window lives on the row (one conditional UPDATE per request counts it and records
    the last use), so the limit holds across every web process and node."""

    name = models.CharField(_("tên"), max_length=120, blank=True,
                            help_text=_("Hệ thống hoặc người dùng khóa, ví dụ: Cổng dữ liệu thành phố."))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người dùng"), on_delete=models.CASCADE,
                             related_name="api_tokens")
    jurisdictions = models.ManyToManyField("agencies.Jurisdiction", verbose_name=_("phạm vi tỉnh/thành phố"),
                                           related_name="+", blank=True)
    key_hash = models.CharField(_("mã băm SHA-256 của khóa"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("đầu khóa"), max_length=8, editable=False,
                              help_text=_("Vài ký tự đầu của khóa, để nhận ra khóa; không đủ để dùng."))
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("người tạo"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    window_start = models.DateTimeField(null=True, blank=True, editable=False)
    window_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("khóa truy cập API")
        verbose_name_plural = _("khóa truy cập API")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name or self.user} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
