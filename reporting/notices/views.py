"""The in-app notification list: a user's own notifications only, newest first; mark read. And the
reviewer's "send a reminder now"."""
import datetime as dt

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from reporting.models import Notification
from reporting.notices.delivery import shown


def notification_list(request):
    qs = Notification.objects.filter(user=request.user)
    page = Paginator(qs.select_related("notice", "notice__cycle", "notice__cycle__plan"), 50).get_page(
        request.GET.get("page"))
    for n in page.object_list:  # in the reader's language, not the Vietnamese stored when it was sent
        n.shown_title, n.shown_body = shown(n, n.notice)
    return render(request, "reporting/notifications.html", {
        "page": page, "unread": qs.filter(read_at__isnull=True).count(),
    })


@require_POST
def notification_read(request, pk):
    """Mark one read and go where it points (another user's notification answers 404)."""
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    if notification.read_at is None:
        Notification.objects.filter(pk=pk).update(read_at=timezone.now())
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "reporting_notices:list"
    return redirect(target)


@require_POST
def notification_read_all(request):
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("reporting_notices:list")


# --- "send a reminder now" (the reviewer's) --------------------------------------------------------------

def remind_now(request, cycle_id):
    """Preview who would be reminded of what in a cycle, and send to one agency or to every agency
    still owing reports. Overseers who are not reviewers (leaders) get 403; others 404."""
    from django.contrib import messages
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    from reporting.models import Notice
    from reporting.notices import reminders
    from reporting.reports import access

    cycle = access.overseen_cycle_or_404(request.user, cycle_id)
    if not access.is_reviewer_of(request.user, cycle.plan):
        raise PermissionDenied(_("Chỉ cán bộ thẩm định của Sở đầu mối mới gửi nhắc được."))
    preview = reminders.reminders_now(cycle)
    for d in preview:
        d.deadline_date = dt.date.fromisoformat(d.payload["deadline"])
    if request.method == "POST":
        chosen = request.POST.get("agency", "")
        owing = {d.agency_id for d in preview}
        if chosen == "all":
            targets = owing
        elif chosen.isdigit() and int(chosen) in owing:
            targets = {int(chosen)}
        else:
            messages.error(request, _("Cơ quan này không còn báo cáo nào phải gửi trong kỳ; không có gì để nhắc."))
            return redirect("reporting:remind_now", cycle.pk)
        sent = reminders.send_reminders_now(cycle, agency_ids=targets)
        if sent:
            messages.success(request, _("Đã gửi nhắc tới %(n)s cơ quan; xem tình trạng gửi ở cuối trang.") % {"n": len(sent)})
        else:
            messages.info(request, _("Nhắc vừa được gửi trong phút này; không gửi lại."))
        return redirect("reporting:remind_now", cycle.pk)
    log = (Notice.objects.filter(cycle=cycle, rule="now").select_related("agency")
           .order_by("-created_at", "-pk")[:30])
    return render(request, "reporting/remind_now.html", {
        "cycle": cycle, "preview": preview, "log": log, "today": timezone.localdate(),
        "total_items": sum(len(d.payload["items"]) for d in preview),
    })
