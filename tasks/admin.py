from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Plan, PlanItem, SplitDecision


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    list_display = ["code", "number", "jurisdiction", "period_start", "period_end", "focal_agency", "public_enabled", "needs_review"]
    list_filter = ["jurisdiction", "public_enabled", "needs_review"]
    search_fields = ["code", "number", "title"]
    autocomplete_fields = ["focal_agency"]


@admin.register(PlanItem)
class PlanItemAdmin(SimpleHistoryAdmin):
    list_display = ["code", "level", "short_title", "plan", "lead_agency", "start_year", "end_year", "high_priority", "needs_review", "retired_at"]
    list_filter = ["plan", "level", "high_priority", "needs_review", ("retired_at", admin.EmptyFieldListFilter), "lead_agency"]
    search_fields = ["code", "printed_code", "search_text"]
    autocomplete_fields = ["lead_agency", "supporting_agencies", "parent"]
    readonly_fields = ["sort_key", "source_file", "source_line"]
    list_select_related = ["plan", "lead_agency"]
    ordering = ["plan", "sort_key"]

    @admin.display(description="tên")
    def short_title(self, obj):
        return obj.title[:80]

    def get_search_results(self, request, queryset, search_term):
        # Diacritic-insensitive, like the portal's own search.
        from agencies.text import fold

        return super().get_search_results(request, queryset, fold(search_term) if search_term else search_term)


@admin.register(SplitDecision)
class SplitDecisionAdmin(admin.ModelAdmin):
    list_display = ["item", "predecessor", "successor", "decided_by", "decided_at"]
    autocomplete_fields = ["item", "predecessor", "successor"]
