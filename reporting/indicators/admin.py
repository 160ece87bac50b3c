"""Admin for the indicator catalogue (with its spreadsheet import), plan indicators and values.
Values change state only through reporting.indicators.values: here they are read-only."""
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from reporting.indicators.catalogue import CatalogueError, import_catalogue
from reporting.models import Indicator, IndicatorValue, IndicatorValueEvent, PlanIndicator, Target


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "unit", "measure", "direction", "plan"]
    list_filter = ["plan", "direction", "measure"]
    search_fields = ["code", "name", "name_en"]
    change_list_template = "admin/reporting/indicator/change_list.html"

    def get_urls(self):
        return [path("import/", self.admin_site.admin_view(self.import_view), name="reporting_indicator_import"),
                *super().get_urls()]

    def import_view(self, request):
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            raise PermissionDenied
        problems = []
        if request.method == "POST" and request.FILES.get("file"):
            try:
                result = import_catalogue(request.FILES["file"])
            except CatalogueError as exc:
                problems = exc.problems
            else:
                messages.success(request, _("Đã nhập danh mục: thêm %(c)s, cập nhật %(u)s, không đổi %(n)s chỉ tiêu.")
                                 % {"c": result.created, "u": result.updated, "n": result.unchanged})
                return redirect("admin:reporting_indicator_changelist")
        context = {**self.admin_site.each_context(request), "problems": problems, "opts": self.model._meta,
                   "title": _("Nhập danh mục chỉ tiêu")}
        return render(request, "admin/reporting/indicator/import_catalogue.html", context)


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


@admin.register(PlanIndicator)
class PlanIndicatorAdmin(SimpleHistoryAdmin):
    list_display = ["code", "indicator", "plan", "baseline_value", "baseline_year", "lead_agency"]
    list_filter = ["plan"]
    autocomplete_fields = ["lead_agency"]
    raw_id_fields = ["item", "indicator"]
    inlines = [TargetInline]


class ValueEventInline(admin.TabularInline):
    model = IndicatorValueEvent
    extra = 0
    readonly_fields = ["kind", "actor", "at", "from_state", "to_state", "old_value", "new_value", "comment"]
    can_delete = False


@admin.register(IndicatorValue)
class IndicatorValueAdmin(SimpleHistoryAdmin):
    list_display = ["plan_indicator", "year", "territory", "value", "state", "revision", "agency"]
    list_filter = ["plan_indicator__plan", "state", "year"]
    list_select_related = ["plan_indicator", "agency"]
    readonly_fields = [f.name for f in IndicatorValue._meta.fields]
    inlines = [ValueEventInline]
