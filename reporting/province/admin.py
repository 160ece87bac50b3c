"""The admin's part in signed reports: the trust roots (data, managed here) and the official
reports, shown read-only (a kept official report is never changed or deleted, not even here)."""
from django.contrib import admin

from reporting.models import OfficialReport, TrustRoot


@admin.register(TrustRoot)
class TrustRootAdmin(admin.ModelAdmin):
    list_display = ["name", "active", "added_at", "note"]
    list_filter = ["active"]


@admin.register(OfficialReport)
class OfficialReportAdmin(admin.ModelAdmin):
    list_display = ["stored_at", "cycle", "source", "stored_by", "sha256"]
    list_filter = ["source"]
    readonly_fields = [f.name for f in OfficialReport._meta.fields]

    def has_add_permission(self, request):
        return False  # only through verification (the page or the signing job)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
