from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.db.models import Count
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.i18n import set_language as _set_language


@login_not_required
@never_cache
def healthz(request):
    """Liveness and database reachability for the container runtime; tells nothing private."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return JsonResponse({"status": "ok"})
    except Exception:
        return JsonResponse({"status": "database unavailable"}, status=503)


@login_not_required
def favicon(request):
    """Browsers ask for /favicon.ico on pages that name no icon (the admin site, the API's
    documentation): the portal's icon, from its static files, instead of a 404 in every log."""
    from django.http import HttpResponsePermanentRedirect
    from django.templatetags.static import static

    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


def home(request):
    """Each user lands on their work (greenplan.navigation.home_url, from the access predicates)."""
    from greenplan.navigation import home_url

    return redirect(home_url(request.user))


def focus(request, place):
    """A menu place of the cycle an overseer works on now (greenplan.navigation): the cycle is found
    when the link is followed. Before any cycle exists, the overview says so."""
    from django.contrib import messages
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from greenplan.navigation import BY_KEY, Where

    found = BY_KEY.get(place)
    if found is None or not found.by_focus or not found.may(request.user):
        raise Http404
    url = found.target(Where(request.user))
    if url is None:
        messages.info(request, _("Chưa có kỳ báo cáo nào cho các kế hoạch bạn theo dõi."))
        url = reverse("dashboard:overview")
    return redirect(url)


def attention(request):
    """An admin's home: what needs an admin now. Plan items the import flagged for review, items
    whose split lead agency has no chosen successor, notices that failed to send and imports that
    failed. Every other user: 404 (a page that exists only for admins)."""
    from reporting.models import Notice
    from reporting.reports import access
    from tasks.models import ImportLog, Plan, PlanItem
    from tasks.selectors import undecided_splits

    if not access.is_admin(request.user):
        raise Http404
    plans = list(Plan.objects.order_by("code"))
    flagged = dict(PlanItem.objects.filter(needs_review=True).values_list("plan_id").annotate(n=Count("id")))
    rows = [{"plan": p, "flagged": flagged.get(p.pk, 0), "splits": len(undecided_splits(p))} for p in plans]
    return render(request, "attention.html", {
        "rows": rows,
        "failed_notices": Notice.objects.filter(state=Notice.State.FAILED).count(),
        "retrying_notices": Notice.objects.filter(state=Notice.State.QUEUED, attempts__gt=0).count(),
        "failed_imports": list(ImportLog.objects.filter(status=ImportLog.Status.FAILED).select_related("plan")[:10]),
    })


class LoginView(auth_views.LoginView):
    """Django's login, telling the user why they are here: `expired=1` (added by
    greenplan.middleware.LoginRequiredMiddleware) when their session ended (a working day, or an
    admin ended it)."""
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["session_expired"] = self.request.GET.get("expired") == "1"
        return context


# The language switch must work on the login page too.
set_language = login_not_required(_set_language)
