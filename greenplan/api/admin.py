"""API tokens in the admin: made (the key is shown once, in the confirmation message), listed,
revoked (an action); never edited, so a token's owner and scope are what it was issued with."""
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _, ngettext

from greenplan.models import ApiToken

from . import tokens


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("__str__", "user", "scope", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__username", "prefix")
    fields = ("name", "user", "jurisdictions", "prefix", "created_at", "created_by", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "created_at", "created_by", "last_used_at", "revoked_at")
    filter_horizontal = ("jurisdictions",)
    actions = ["revoke_tokens"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user").prefetch_related("jurisdictions")

    @admin.display(description=_("phạm vi"))
    def scope(self, obj):
        return ", ".join(j.name for j in obj.jurisdictions.all()) or "—"

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:  # an issued token is not edited: revoke it and issue another
            return ("name", "user", "jurisdictions", *self.readonly_fields)
        return self.readonly_fields

    def get_fields(self, request, obj=None):
        return ("name", "user", "jurisdictions") if obj is None else self.fields

    def save_model(self, request, obj, form, change):
        if change:
            return
        key = tokens.stamp(obj)
        obj.created_by = request.user
        super().save_model(request, obj, form, change)
        messages.warning(request, _("Khóa truy cập (chỉ hiện lần này, hãy sao chép ngay): %(key)s") % {"key": key})

    def save_related(self, request, form, formsets, change):
        if change:
            return
        # Left empty, the scope is the user's own jurisdictions, as `manage.py api_token create` gives.
        chosen = list(form.cleaned_data.get("jurisdictions") or [])
        form.instance.jurisdictions.set(chosen or tokens.default_jurisdictions(form.instance.user))

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the row keeps who used the API and when

    @admin.action(description=_("Thu hồi các khóa đã chọn"))
    def revoke_tokens(self, request, queryset):
        n = tokens.revoke(queryset)
        self.message_user(request, ngettext("Đã thu hồi %(n)d khóa.", "Đã thu hồi %(n)d khóa.", n) % {"n": n},
                          messages.SUCCESS)
