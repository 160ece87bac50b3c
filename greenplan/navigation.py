"""The menu: every place a user may go, in one list. Which places a user has is decided by the
access predicates of reporting.reports.access (one per place); adding a place is one line here.
The home page ("/") sends each user to the place access.home_of names."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from reporting.reports import access
from reporting.reports.cycles import focus_cycle


class Where:
    """What the links of one user's menu need, computed at most once per page."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def cycle(self):
        if not access.oversees_anything(self.user):
            return None
        return focus_cycle(access.plans_overseen_by(self.user))


def _cycle_url(name: str) -> Callable[[Where], str | None]:
    return lambda where: reverse(name, args=[where.cycle.pk]) if where.cycle else None


def _named(name: str) -> Callable[[Where], str]:
    return lambda where: reverse(name)


@dataclass(frozen=True)
class Place:
    key: str
    label: str
    may: Callable  # an access predicate: may this user go there?
    url: Callable[[Where], str | None]


PLACES: list[Place] = [
    Place("attention", _("Việc cần xử lý"), access.is_admin, _named("attention")),
    Place("reports", _("Báo cáo của cơ quan"), access.owes_reports, _named("reporting:home")),
    Place("contributions", _("Phối hợp"), access.owes_reports, _named("reporting:contributions")),
    Place("queue", _("Thẩm định"), access.reviews_anything, _named("reporting:queue")),
    Place("indicators", pgettext_lazy("menu", "Chỉ tiêu"), access.reports_or_reviews, _named("reporting:indicators")),
    Place("status", _("Tình hình nộp"), access.oversees_anything, _cycle_url("dashboard:status")),
    Place("province_report", _("Báo cáo tỉnh"), access.reviews_anything, _cycle_url("dashboard:province_report")),
    Place("dashboard", _("Bảng điều hành"), access.oversees_anything,
          lambda where: reverse("dashboard:cycle", args=[where.cycle.pk]) if where.cycle else reverse("dashboard:overview")),
    Place("plans", _("Kế hoạch"), access.everyone, _named("tasks:plan_list")),
    Place("agencies", pgettext_lazy("menu", "Cơ quan"), access.everyone, _named("agencies:list")),
    Place("notifications", _("Thông báo"), access.everyone, _named("reporting_notices:list")),
    Place("admin", _("Quản trị"), access.uses_django_admin, _named("admin:index")),
]


@dataclass(frozen=True)
class Link:
    key: str
    label: str
    url: str


def menu(user) -> list[Link]:
    """The user's places, in the menu's order; a place with nothing to point at yet is left out."""
    if not user.is_authenticated:
        return []
    where = Where(user)
    links = []
    for place in PLACES:
        if place.may(user):
            url = place.url(where)
            if url:
                links.append(Link(place.key, str(place.label), url))
    return links


def home_url(user) -> str:
    """Where "/" and the login send the user: their work (access.home_of)."""
    key = access.home_of(user)
    place = next(p for p in PLACES if p.key == key)
    return place.url(Where(user)) or reverse("tasks:plan_list")
