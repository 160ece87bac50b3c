"""The signed province report kept as a cycle's official report, and the trust roots it is checked
against.

An official report is a record: once stored it is never changed (no update path in the code, a
save of an existing row is refused, and the database refuses an UPDATE through a trigger written
by migration 0007). A new signed report for the same cycle is a new row that names the one it
replaces and why; both are kept. Trust roots are data an admin manages (the certificates of the
Government Cipher Committee's root CA and the like), not code.
"""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from reporting.models.province_report import ProvinceReportJob
from reporting.models.reports import ReportingCycle, free_text, text_limits

__all__ = ["OfficialReport", "OfficialReportImmutable", "TrustRoot"]


class TrustRoot(models.Model):
    """A root certificate an admin trusts for signed reports (PEM)."""

    name = models.CharField(_("tên"), max_length=200)
    certificate = free_text(_("chứng thư (PEM)"),
                                   help_text=_("Dán nội dung tệp .pem/.crt, bắt đầu bằng “-----BEGIN CERTIFICATE-----”."))
    active = models.BooleanField(_("đang dùng"), default=True)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    added_at = models.DateTimeField(_("thêm lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("chứng thư gốc tin cậy")
        verbose_name_plural = _("chứng thư gốc tin cậy")
        ordering = ["name"]
        constraints = text_limits("trustroot", "certificate")

    def __str__(self):
        return self.name

    def load(self):
        """The certificate as an asn1crypto object (what pyHanko's validator takes)."""
        from asn1crypto import pem
        from asn1crypto import x509 as asn1_x509

        data = self.certificate.strip().encode()
        if pem.detect(data):
            _type, _headers, data = pem.unarmor(data)
        return asn1_x509.Certificate.load(data)

    def clean(self):
        try:
            cert = self.load()
            cert.native  # parses the whole structure, not just the outer sequence
        except Exception:
            raise ValidationError({"certificate": _("Không đọc được chứng thư: cần một chứng thư X.509 dạng PEM.")})
        if not cert.ca:
            raise ValidationError({"certificate": _("Đây không phải chứng thư của tổ chức cung cấp dịch vụ chứng thực (CA).")})


class OfficialReportImmutable(Exception):
    """An official report is never changed or deleted once stored."""


class OfficialReportQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise OfficialReportImmutable("Báo cáo chính thức đã lưu không được sửa.")

    def delete(self):
        raise OfficialReportImmutable("Báo cáo chính thức đã lưu không được xóa.")


class OfficialReport(models.Model):
    """The signed file a cycle's province report is, once signed: by the server or uploaded."""

    class Source(models.TextChoices):
        SERVER = "server", _("Ký trên máy chủ")
        UPLOAD = "upload", _("Tải lên bản đã ký")

    cycle = models.ForeignKey(ReportingCycle, on_delete=models.PROTECT, related_name="official_reports")
    job = models.ForeignKey(ProvinceReportJob, on_delete=models.PROTECT, related_name="official_reports",
                            verbose_name=_("lượt tạo"))
    source = models.CharField(_("cách ký"), max_length=6, choices=Source.choices)
    file_path = models.CharField(_("tệp"), max_length=255, help_text=_("Đường dẫn tương đối trong MEDIA_ROOT."))
    sha256 = models.CharField(_("mã băm SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("dung lượng (byte)"))
    stored_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("người tải lên / ký"))
    stored_at = models.DateTimeField(_("lưu lúc"), auto_now_add=True)
    signatures = models.JSONField(_("chữ ký"), default=list,
                                  help_text=_("Người ký, tổ chức cấp, thời điểm ký của từng chữ ký đã kiểm tra."))
    verification = models.TextField(_("kết quả kiểm tra"))
    replaces = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="replaced_by", verbose_name=_("thay cho"))
    reason = free_text(_("lý do thay thế"), blank=True)

    objects = OfficialReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("báo cáo chính thức (đã ký)")
        verbose_name_plural = _("báo cáo chính thức (đã ký)")
        ordering = ["-stored_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(replaces__isnull=True) | ~models.Q(reason=""),
                                   name="officialreport_replacement_has_reason"),
            *text_limits("officialreport", "reason"),
        ]

    def __str__(self):
        return f"{self.cycle} – {self.stored_at:%d/%m/%Y %H:%M}" if self.stored_at else str(self.cycle)

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise OfficialReportImmutable("Báo cáo chính thức đã lưu không được sửa.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise OfficialReportImmutable("Báo cáo chính thức đã lưu không được xóa.")

    @property
    def filename(self) -> str:
        return self.file_path.rsplit("/", 1)[-1]
