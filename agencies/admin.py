from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from .models import Agency, AgencyAlias, GroupMember, Jurisdiction, JurisdictionRole, Membership, Succession


class FoldedSearchMixin:
    """Admin search that ignores diacritics like the portal's: "so tai chinh" finds "Sở Tài chính".

    Searches the folded columns (search_text, folded) with the folded term, and the plain columns
    with the term as typed."""

    folded_search_fields: list[str] = []

    def get_search_results(self, request, queryset, search_term):
        from .text import fold

        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        folded = fold(search_term)
        if folded and self.folded_search_fields:
            from django.db.models import Q

            q = Q()
            for field in self.folded_search_fields:
                q |= Q(**{f"{field}__contains": folded})
            results = results | queryset.filter(q)
            may_have_duplicates = True
        return results, may_have_duplicates


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


class GroupMemberInline(admin.TabularInline):
    """On a group's page: the agencies it stands for, to review."""

    model = GroupMember
    fk_name = "group"
    extra = 0
    autocomplete_fields = ["agency"]
    verbose_name_plural = gettext_lazy("Các cơ quan nhóm này đại diện (được đề nghị phối hợp thay nhóm)")


@admin.action(description=gettext_lazy("Đề xuất thành viên nhóm theo loại cơ quan"))
def fill_group_members(modeladmin, request, queryset):
    from .groups import fill_group

    for group in queryset.filter(is_group=True).select_related("jurisdiction"):
        added = fill_group(group)
        modeladmin.message_user(request, _("%(group)s: thêm %(n)s cơ quan; hãy xem lại danh sách.")
                                % {"group": group, "n": added})


@admin.register(Agency)
class AgencyAdmin(FoldedSearchMixin, SimpleHistoryAdmin):
    folded_search_fields = ["search_text", "aliases__folded"]
    actions = [fill_group_members]

    def get_inlines(self, request, obj):
        return [AliasInline, SuccessionInline, MembershipInline] + ([GroupMemberInline] if obj and obj.is_group else [])

    list_display = ["name", "short_name", "kind", "jurisdiction", "is_group", "active_from", "active_to"]
    list_filter = ["jurisdiction", "kind", "is_group"]
    search_fields = ["name", "short_name", "aliases__name"]
    inlines = [AliasInline, SuccessionInline, MembershipInline]


@admin.action(description=gettext_lazy("Chuyển thành viên của cơ quan tiền thân sang cơ quan kế thừa"))
def move_members_to_successor(modeladmin, request, queryset):
    from .memberships import move_memberships

    for succession in queryset.select_related("predecessor", "successor"):
        moved = move_memberships(predecessor=succession.predecessor, successor=succession.successor)
        modeladmin.message_user(request, _("%(old)s → %(new)s: đã chuyển %(n)s người.")
                                 % {"old": succession.predecessor, "new": succession.successor, "n": moved})


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


@admin.register(AgencyAlias)
class AgencyAliasAdmin(admin.ModelAdmin):
    list_display = ["name", "agency"]
    list_filter = ["agency__jurisdiction"]
    search_fields = ["name", "folded", "agency__name"]
    autocomplete_fields = ["agency"]


@admin.register(GroupMember)
class GroupMemberAdmin(SimpleHistoryAdmin):
    list_display = ["group", "agency"]
    list_filter = ["group__jurisdiction", "group"]
    search_fields = ["group__name", "agency__name"]
    autocomplete_fields = ["group", "agency"]
