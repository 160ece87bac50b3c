from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from import_export.admin import ImportMixin

from agencies.admin import FoldedSearchMixin

from .admin_import import PlanAppendixResource, PlanWorkbook
from .exports import plan_template_xlsx
from .models import ActivityMapping, ImportLog, Plan, PlanItem, PlanSupersession, SplitDecision


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    list_display = ["code", "number", "jurisdiction", "period_start", "period_end", "focal_agency", "public_enabled", "needs_review"]
    list_filter = ["jurisdiction", "public_enabled", "needs_review"]
    search_fields = ["code", "number", "title"]
    autocomplete_fields = ["focal_agency"]


@admin.register(PlanItem)
class PlanItemAdmin(FoldedSearchMixin, ImportMixin, SimpleHistoryAdmin):
    """“Nhập” on the plan items list runs the appendix import, with a dry-run preview."""

    resource_classes = [PlanAppendixResource]
    import_formats = [PlanWorkbook]
    skip_admin_log = True  # every import has its own entry in the import log
    import_template_name = "tasks/admin/planitem_import.html"  # adds the template download

    list_display = ["code", "level", "short_title", "plan", "lead_agency", "start_year", "end_year", "high_priority", "needs_review", "retired_at"]
    list_filter = ["plan", "level", "high_priority", "needs_review", ("retired_at", admin.EmptyFieldListFilter), "lead_agency"]
    search_fields = ["code", "printed_code"]
    folded_search_fields = ["search_text"]
    autocomplete_fields = ["lead_agency", "supporting_agencies", "parent"]
    readonly_fields = ["sort_key", "source_file", "source_line"]
    list_select_related = ["plan", "lead_agency"]
    ordering = ["plan", "sort_key"]

    @admin.display(description=_("tên"))
    def short_title(self, obj):
        return obj.title[:80]

    def get_urls(self):
        return [path("template/", self.admin_site.admin_view(self.template_view), name="tasks_planitem_template"),
                *super().get_urls()]

    def template_view(self, request):
        """The empty plan workbook (as `export_plan --template`), for whoever may add plan items by import."""
        if not (self.has_import_permission(request) and self.has_add_permission(request)):
            raise PermissionDenied
        response = HttpResponse(plan_template_xlsx(),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = 'attachment; filename="plan-mau.xlsx"'
        return response



class ActivityMappingInline(admin.TabularInline):
    """Each old activity: the new plan's item that carries it on, or empty when it has ended."""

    model = ActivityMapping
    extra = 0
    autocomplete_fields = ["old_item", "new_item"]


@admin.register(PlanSupersession)
class PlanSupersessionAdmin(SimpleHistoryAdmin):
    list_display = ["old_plan", "new_plan", "effective_on", "legal_basis"]
    autocomplete_fields = ["old_plan", "new_plan"]
    inlines = [ActivityMappingInline]


@admin.register(SplitDecision)
class SplitDecisionAdmin(admin.ModelAdmin):
    list_display = ["item", "predecessor", "successor", "decided_by", "decided_at"]
    autocomplete_fields = ["item", "predecessor", "successor"]


@admin.register(ImportLog)
class ImportLogAdmin(admin.ModelAdmin):
    list_display = ["started_at", "source_file", "status", "plan", "user"]
    list_filter = ["status", "plan"]
    search_fields = ["source_file", "report"]
    readonly_fields = ["plan", "source_file", "source_kind", "status", "started_at", "finished_at", "user", "counts_shown",
                       "report_text"]
    exclude = ["report", "details", "counts"]

    @admin.display(description=_("số lượng"))
    def counts_shown(self, obj):
        # In words, not the stored JSON.
        from .importers.service import counts_text

        return counts_text(obj.counts) or "—"

    @admin.display(description=_("báo cáo nhập"))
    def report_text(self, obj):
        return format_html('<pre style="white-space:pre-wrap;max-width:100%">{}</pre>', obj.report)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
