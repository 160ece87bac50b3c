from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Agency, AgencyAlias, Jurisdiction, JurisdictionRole, Membership, Succession


class AliasInline(admin.TabularInline):
    model = AgencyAlias
    extra = 0
    fields = ["name"]


class SuccessionInline(admin.TabularInline):
    model = Succession
    fk_name = "predecessor"
    extra = 0
    autocomplete_fields = ["successor"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Jurisdiction)
class JurisdictionAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "merged_into", "merged_on"]
    search_fields = ["name"]
    list_filter = ["kind"]


@admin.register(Agency)
class AgencyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "short_name", "kind", "jurisdiction", "is_group", "active_from", "active_to"]
    list_filter = ["jurisdiction", "kind", "is_group"]
    search_fields = ["name", "short_name", "search_text", "aliases__name", "aliases__folded"]
    inlines = [AliasInline, SuccessionInline, MembershipInline]


@admin.action(description="Chuyển thành viên của cơ quan tiền thân sang cơ quan kế thừa")
def move_members_to_successor(modeladmin, request, queryset):
    from .memberships import move_memberships

    for succession in queryset.select_related("predecessor", "successor"):
        moved = move_memberships(predecessor=succession.predecessor, successor=succession.successor)
        modeladmin.message_user(request, f"{succession.predecessor} → {succession.successor}: đã chuyển {moved} người.")


@admin.register(Succession)
class SuccessionAdmin(SimpleHistoryAdmin):
    actions = [move_members_to_successor]
    list_display = ["predecessor", "successor", "kind", "effective_on", "legal_basis"]
    list_filter = ["kind", "predecessor__jurisdiction"]
    search_fields = ["predecessor__name", "successor__name", "legal_basis"]
    autocomplete_fields = ["predecessor", "successor"]
    date_hierarchy = "effective_on"


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "agency", "role", "can_submit", "is_active"]
    list_filter = ["role", "can_submit", "is_active", "agency__jurisdiction"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "agency__name"]
    autocomplete_fields = ["user", "agency"]


@admin.register(JurisdictionRole)
class JurisdictionRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "jurisdiction"]
    list_filter = ["role", "jurisdiction"]
    search_fields = ["user__username", "jurisdiction__name"]
    autocomplete_fields = ["user"]
