"""The in-app notification list: a user's own notifications only, newest first; mark read."""
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from reporting.models import Notification


def notification_list(request):
    qs = Notification.objects.filter(user=request.user)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
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
