"""Password change and reset by e-mail link: Django's own views with Vietnamese templates, and a
rate limit on the reset form that works across processes (counted in the database).

No user enumeration: the reset form answers the same for an address that has an account, one that
has none, and one over its own limit (the mail simply is not sent). Only an address (IP) that sends
too many requests is told to wait, which says nothing about any account."""
from __future__ import annotations

import datetime as dt
import hashlib

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import PasswordResetRequest

WINDOW = dt.timedelta(hours=1)


class PortalBackend(ModelBackend):
    """Django's model backend, whose user of a request also carries the number of their unread
    notifications, counted in the same statement: every page's menu shows it (the context processor
    reporting.context_processors.unread_notifications reads it), and a query of its own was one of
    the handful every page makes. Written as SQL: the ORM's annotated query took ~1.3 ms to build
    for a 0.1 ms lookup, on every request."""

    def get_user(self, user_id):
        from django.contrib.auth import get_user_model

        from reporting.models import Notification

        User = get_user_model()
        sql = (f"SELECT u.*, (SELECT COUNT(*) FROM {Notification._meta.db_table} n "
               f"WHERE n.user_id = u.{User._meta.pk.column} AND n.read_at IS NULL) AS unread_notifications "
               f"FROM {User._meta.db_table} u WHERE u.{User._meta.pk.column} = %s")
        try:
            user_id = User._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        found = list(User._default_manager.raw(sql, [user_id]))
        user = found[0] if found else None
        return user if user is not None and self.user_can_authenticate(user) else None


def _limits() -> tuple[int, int]:
    """(requests per IP, requests per typed address) within WINDOW."""
    return (getattr(settings, "PASSWORD_RESET_PER_IP", 10), getattr(settings, "PASSWORD_RESET_PER_EMAIL", 3))


def _client_ip(request) -> str | None:
    """The client's address as the login lockout sees it: behind the balancer, from X-Forwarded-For
    (AXES_PROXY_COUNT proxies), not the balancer's own address, which every user would share."""
    return get_client_ip_address(request) or None


def email_hash(email: str) -> str:
    return hashlib.sha256((settings.SECRET_KEY + ":" + email.strip().lower()).encode()).hexdigest()


def reset_allowed(*, ip: str | None, email: str, now: dt.datetime | None = None) -> tuple[bool, bool]:
    """Record one reset request and say (may this IP go on, may a mail go to this address)."""
    now = now or timezone.now()
    per_ip, per_email = _limits()
    since = now - WINDOW
    with transaction.atomic():
        PasswordResetRequest.objects.filter(at__lt=now - 24 * WINDOW).delete()  # keep the table small
        ip_count = PasswordResetRequest.objects.filter(ip=ip, at__gte=since).count() if ip else 0
        if ip_count >= per_ip:
            return False, False
        digest = email_hash(email)
        email_count = PasswordResetRequest.objects.filter(email_hash=digest, at__gte=since).count()
        PasswordResetRequest.objects.create(ip=ip, email_hash=digest, at=now)
    return True, email_count < per_email


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    html_email_template_name = "accounts/password_reset_email.html"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        ip_ok, mail_ok = reset_allowed(ip=_client_ip(self.request), email=form.cleaned_data["email"])
        if not ip_ok:
            messages.error(self.request, _("Có quá nhiều yêu cầu đặt lại mật khẩu từ máy của bạn; hãy thử lại sau một giờ."))
            return redirect("password_reset")
        if not mail_ok:
            # The same answer as a sent mail: the form never tells whether an account exists.
            return redirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change_form.html"
    success_url = reverse_lazy("password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"
