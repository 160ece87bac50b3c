"""Project-wide records that belong to no domain app: the password-reset requests that rate-limit
the "forgot password" form (greenplan/accounts.py)."""
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
