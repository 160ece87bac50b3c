"""Admin for reminders: the sending log (which is also the outbox, with its retries and errors),
the per-plan reminder policy, the runs of the reminder job, and the in-app notifications."""
from django.contrib import admin, messages
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reporting.models import Notice, Notification, ReminderPolicy, ReminderRun

__all__ = ["NoticeAdmin", "NotificationAdmin", "ReminderPolicyAdmin", "ReminderRunAdmin"]


class NeedsAttention(admin.SimpleListFilter):
    title = _("cần chú ý")
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [("retrying", _("Đang thử lại (đã lỗi)")), ("failed", _("Ngừng thử")),
                ("stuck", _("Đang gửi quá lâu"))]

    def queryset(self, request, queryset):
        from reporting.notices.delivery import lease

        if self.value() == "retrying":
            return queryset.filter(state=Notice.State.QUEUED, attempts__gt=0)
        if self.value() == "failed":
            return queryset.filter(state=Notice.State.FAILED)
        if self.value() == "stuck":
            return queryset.filter(state=Notice.State.SENDING, claimed_at__lt=timezone.now() - lease())
        return queryset


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "rule", "scheduled_for", "agency", "state", "attempts", "next_attempt_at",
                    "sent_at", "short_error")
    list_filter = (NeedsAttention, "state", "kind", "rule", "scheduled_for")
    search_fields = ("key", "subject", "agency__name", "last_error")
    date_hierarchy = "created_at"
    list_select_related = ("agency",)
    readonly_fields = [f.name for f in Notice._meta.fields]
    actions = ["retry_now"]

    @admin.display(description=_("lỗi gần nhất"))
    def short_error(self, obj):
        return (obj.last_error[:80] + "…") if len(obj.last_error) > 80 else obj.last_error

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Gửi lại ngay (thông báo lỗi hoặc đang chờ thử lại)"))
    def retry_now(self, request, queryset):
        from reporting.notices.delivery import enqueue

        retry = queryset.filter(Q(state__in=[Notice.State.FAILED, Notice.State.QUEUED]))
        ids = list(retry.values_list("pk", flat=True))
        retry.update(state=Notice.State.QUEUED, next_attempt_at=None, claim_token="")
        enqueue(ids)
        self.message_user(request, _("Đã đưa %(n)d thông báo vào hàng đợi gửi lại.") % {"n": len(ids)},
                          messages.SUCCESS)


@admin.register(ReminderPolicy)
class ReminderPolicyAdmin(admin.ModelAdmin):
    list_display = ("plan", "enabled", "days_before", "overdue_every_days", "digest_days_before",
                    "contribution_days_before", "ministry_days_before")
    list_select_related = ("plan",)
    raw_id_fields = ("plan",)


@admin.register(ReminderRun)
class ReminderRunAdmin(admin.ModelAdmin):
    list_display = ("day", "started_at", "finished_at", "planned", "dispatched", "error")
    readonly_fields = ("day", "started_at", "finished_at", "planned", "dispatched", "error")
    date_hierarchy = "started_at"

    def has_add_permission(self, request):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "title", "read_at")
    list_filter = (("read_at", admin.EmptyFieldListFilter),)
    search_fields = ("title", "user__username", "user__email")
    raw_id_fields = ("user", "notice")
    list_select_related = ("user",)
