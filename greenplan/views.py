from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
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


def home(request):
    return redirect("tasks:plan_list")


# The language switch must work on the login page too.
set_language = login_not_required(_set_language)
