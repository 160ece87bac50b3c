"""The menu: every place a user may go, in one list. Which places a user has is decided by the
access predicates of reporting.reports.access (one per place); adding a place is one line here.
The home page ("/") sends each user to the place access.home_of names."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from django.urls import get_script_prefix, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _, pgettext_lazy

from reporting.reports import access
from reporting.reports.cycles import focus_cycle


class Where:
    """What the cycle places need to know where they lead, computed when one is followed."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def cycle(self):
        if not access.oversees_anything(self.user):
            return None
        return focus_cycle(access.plans_overseen_by(self.user))


@lru_cache(maxsize=128)
def _path(name: str, prefix: str, *args) -> str:
    return reverse(name, args=args or None)


def _named(name: str) -> Callable[[Where], str]:
    # Reversed once per process (and script prefix): the menu is on every page.
    return lambda where: _path(name, get_script_prefix())


def _cycle_place(name: str, fallback: str | None = None) -> Callable[[Where], str | None]:
    return lambda where: (reverse(name, args=[where.cycle.pk]) if where.cycle
                          else reverse(fallback) if fallback else None)


@dataclass(frozen=True)
class Place:
    key: str
    label: str
    may: Callable  # an access predicate: may this user go there?
    target: Callable[[Where], str | None]  # where following the place leads (None: nowhere yet)
    view: str  # the view the place leads to: the menu marks it as the current page there
    # The places of the cycle an overseer works on now (reporting.reports.cycles.focus_cycle) are
    # linked through `focus`, which finds the cycle when the link is followed: finding it on every
    # page, for a menu link that is seldom followed, was a fifth of an overseer's page frame.
    by_focus: bool = False


PLACES: list[Place] = [
    Place("attention", _("Việc cần xử lý"), access.is_admin, _named("attention"), "attention"),
    Place("reports", _("Báo cáo của cơ quan"), access.owes_reports, _named("reporting:home"), "reporting:home"),
    Place("contributions", _("Phối hợp"), access.owes_reports, _named("reporting:contributions"),
          "reporting:contributions"),
    Place("queue", _("Thẩm định"), access.reviews_anything, _named("reporting:queue"), "reporting:queue"),
    Place("indicators", pgettext_lazy("menu", "Chỉ tiêu"), access.reports_or_reviews, _named("reporting:indicators"),
          "reporting:indicators"),
    Place("status", _("Tình hình nộp"), access.oversees_anything, _cycle_place("dashboard:status"),
          "dashboard:status", by_focus=True),
    Place("province_report", _("Báo cáo tỉnh"), access.reviews_anything, _cycle_place("dashboard:province_report"),
          "dashboard:province_report", by_focus=True),
    Place("dashboard", _("Bảng điều hành"), access.oversees_anything,
          _cycle_place("dashboard:cycle", fallback="dashboard:overview"), "dashboard:cycle", by_focus=True),
    # Every plan the user oversees side by side, and from there the provinces compared on each
    # national indicator (reached before only through the dashboard's breadcrumb).
    Place("overview", _("Tổng quan"), access.oversees_anything, _named("dashboard:overview"), "dashboard:overview"),
    Place("plans", _("Kế hoạch"), access.everyone, _named("tasks:plan_list"), "tasks:plan_list"),
    Place("agencies", pgettext_lazy("menu", "Cơ quan"), access.everyone, _named("agencies:list"), "agencies:list"),
    Place("notifications", _("Thông báo"), access.everyone, _named("reporting_notices:list"),
          "reporting_notices:list"),
    Place("admin", _("Quản trị"), access.uses_django_admin, _named("admin:index"), "admin:index"),
]
BY_KEY = {place.key: place for place in PLACES}


@dataclass(frozen=True)
class Link:
    key: str
    label: str
    url: str
    view: str


def menu(user) -> list[Link]:
    """The user's places, in the menu's order. Reads no more than the access predicates do."""
    if not user.is_authenticated:
        return []
    where = Where(user)
    return [Link(place.key, str(place.label),
                 _path("focus", get_script_prefix(), place.key) if place.by_focus else place.target(where),
                 place.view)
            for place in PLACES if place.may(user)]


def home_url(user) -> str:
    """Where "/" and the login send the user: their work (access.home_of)."""
    return BY_KEY[access.home_of(user)].target(Where(user)) or reverse("tasks:plan_list")
