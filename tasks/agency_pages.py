"""The agency pages: every agency of the user's jurisdictions, and one agency with the plan items it
leads and supports. They live beside the plans (not in agencies/) because they list plan items;
their URL namespace stays `agencies`."""
from django.db.models import Count
from django.shortcuts import get_object_or_404, render

from agencies.access import agencies_visible_to
from agencies.lineage import name_with_successor
from agencies.models import Agency
from agencies.text import fold, sort_key

from .models import Plan
from .selectors import agency_involvement


def _visible_agencies(request):
    return agencies_visible_to(Agency.objects.select_related("jurisdiction"), request.user)


def agency_list(request):
    q = request.GET.get("q", "")
    qs = _visible_agencies(request).annotate(n_led=Count("led_items", distinct=True))
    for word in fold(q).split():
        qs = qs.filter(search_text__contains=word)
    agencies = sorted(qs, key=lambda a: (sort_key(a.jurisdiction.name), a.is_group, sort_key(a.name)))
    return render(request, "agencies/agency_list.html", {"agencies": agencies, "q": q})


def agency_detail(request, pk):
    agency = get_object_or_404(_visible_agencies(request), pk=pk)
    plans = Plan.objects.for_user(request.user)
    return render(request, "agencies/agency_detail.html", {
        "agency": agency, "aliases": agency.aliases.all(), **agency_involvement(agency, plans),
        "name_now": name_with_successor(agency),
    })
