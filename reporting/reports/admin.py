"""Admin for cycles, reports and their surroundings."""
from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from reporting.reports import workflow
from reporting.reports.cycles import create_cycles, materialize_reports
from reporting.reports.forms import FreeTextField, MoneyField, MoneyInput
from reporting.models import (
    Attachment, ContributionRequest, Extension, ProvinceReportJob, ProvinceReportSettings, Report, ReportEvent,
    ReportingCycle,
)


# Every free text edited here follows the one limit (TEXT_MAX_CHARS) with the form's message naming
# the field, and gets no maxlength attribute (a browser would cut a pasted text without a word).
FREE_TEXT = {models.TextField: {"form_class": FreeTextField}}


@admin.action(description=gettext_lazy("Cập nhật danh sách báo cáo phải nộp (sau khi giao cơ quan chủ trì)"))
def refresh_owed_reports(modeladmin, request, queryset):
    for cycle in queryset:
        result = materialize_reports(cycle, user=request.user)
        messages.info(request, _("%(cycle)s: tạo %(created)s, giao lại %(reassigned)s báo cáo.")
                      % {"cycle": cycle, "created": result["created"], "reassigned": result["reassigned"]})


@admin.register(ReportingCycle)
class ReportingCycleAdmin(admin.ModelAdmin):
    list_display = ["plan", "jurisdiction", "kind", "year", "opens_on", "closes_on", "due_at"]
    list_filter = ["plan", "jurisdiction", "kind", "year"]
    actions = [refresh_owed_reports]


class EventInline(admin.TabularInline):
    model = ReportEvent
    extra = 0
    readonly_fields = ["kind", "actor", "at", "from_state", "to_state", "comment"]
    can_delete = False


@admin.register(Report)
class ReportAdmin(SimpleHistoryAdmin):
    """Read-mostly: states change only through the workflow pages, which keep the audit trail; a
    correction saved here goes through workflow.report_admin_edit (a new version, audited)."""

    list_display = ["item", "cycle", "agency", "state", "status", "percent_complete", "late", "submitted_at"]
    list_filter = ["cycle__plan", "cycle__year", "state", "status", "late"]
    search_fields = ["item__code", "item__search_text", "agency__search_text"]
    list_select_related = ["item", "cycle", "cycle__plan", "agency"]
    readonly_fields = ["cycle", "item", "state", "version", "submitted_at", "submitted_by", "late", "reviewed_at",
                       "reviewed_by", "updated_by"]
    autocomplete_fields = ["agency"]
    inlines = [EventInline]
    # Amounts typed as on the report form (1.234.567) and under the same rule (MONEY_MAX).
    formfield_overrides = {**FREE_TEXT, models.BigIntegerField: {"form_class": MoneyField, "widget": MoneyInput}}

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        # A correction through the workflow: a new version (an officer with the form open gets the
        # conflict page) and audit events in the report's history.
        saved = workflow.report_admin_edit(obj, user=request.user, data=form.cleaned_data)
        obj.version, obj.updated_by, obj.updated_at = saved.version, saved.updated_by, saved.updated_at


@admin.register(Extension)
class ExtensionAdmin(admin.ModelAdmin):
    list_display = ["cycle", "agency", "state", "new_due_at", "requested_at", "decided_by"]
    list_filter = ["state", "cycle__plan"]
    formfield_overrides = FREE_TEXT


@admin.register(ContributionRequest)
class ContributionRequestAdmin(SimpleHistoryAdmin):
    list_display = ["report", "agency", "due_on", "answered_at"]
    list_filter = ["report__cycle__plan"]
    formfield_overrides = FREE_TEXT


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "report", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = ["file", "original_name", "content_type", "size", "uploaded_by", "uploaded_at", "report"]


def create_plan_cycles(modeladmin, request, queryset):
    for plan in queryset:
        cycles = create_cycles(plan)
        messages.info(request, _("%(plan)s: %(n)s kỳ báo cáo.") % {"plan": plan, "n": len(cycles)})


create_plan_cycles.short_description = gettext_lazy("Tạo các kỳ báo cáo cho những năm của kế hoạch")


@admin.register(ReportEvent)
class ReportEventAdmin(admin.ModelAdmin):
    """The audit trail: read-only."""

    list_display = ["at", "report", "kind", "actor", "from_state", "to_state"]
    list_filter = ["kind", "report__cycle__plan", "report__cycle__year"]
    search_fields = ["report__item__code", "actor__username", "comment"]
    list_select_related = ["report", "report__item", "report__cycle", "actor"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProvinceReportSettings)
class ProvinceReportSettingsAdmin(admin.ModelAdmin):
    list_display = ["plan"]
    formfield_overrides = FREE_TEXT


@admin.register(ProvinceReportJob)
class ProvinceReportJobAdmin(admin.ModelAdmin):
    list_display = ["created_at", "cycle", "format", "status", "requested_by"]
    list_filter = ["status", "format"]
