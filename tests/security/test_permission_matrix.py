"""Who sees what, exhaustively: every URL of the URL configuration × every role × objects owned by
agency A, by agency B (both of province X) and by an agency of province Y.

The expected answer of every cell is written by hand in TABLE below; nothing is derived from the
code under test. `test_every_url_has_a_row` walks the resolver and fails for any named URL with no
row, so a URL added tomorrow fails here until someone decides who may open it.

Sampling rule for the Django admin: the per-model URLs a ModelAdmin generates
(`admin:<app>_<model>_{changelist,add,change,delete,history,simple_history}` of a registered model)
are not required to have a row each. They are covered by sampling: the changelist of EVERY
registered model, plus the change page of a user, of a report and the admin's set-password page of a
user. Every other admin URL (index, login, logout, password change, autocomplete, jsi18n,
view_on_site, app_list, and custom views such as the plan-item import) needs its own row.

Roles (columns, in this order):
    anon   not logged in
    alice  officer of agency A          hana   head of agency A
    bob    officer of agency B          sam    officer of S, supporting agency on A's and B's items
    rita   reviewer of province X       leo    leader of province X
    yann   reviewer of province Y       admin  superuser

Owners (which object the URL points at):
    A, B   agency A's / agency B's object in province X (reports, attachments, contributions,
           extensions, agencies); for notifications: alice's / bob's; Y: an agency of province Y
           (for notifications: yann's)
    X, Y   province-level objects: plan, item, cycle, province report job (plan X is public)
    -      the URL points at no object

Outcomes:
    200 403 404 405   that status
    login             302 to the login page with ?next= (the LoginRequiredMiddleware)
    adm               302 to the admin's login page
    302               any other redirect
    ok                (POST) the move happened: the object's state changed
    no                (POST) refused politely (a redirect with a message), state unchanged
Every POST cell other than "ok" also asserts that the object's state did not change.

The refusal rule (reporting/reports/access.py): 404 for an object the user may not see; 403 for a move
whose role never allows it on an object the user may see; "no" when the role allows the move but the
object's state refuses it now.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Callable

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from agencies.models import JurisdictionRole, Membership
from reporting.reports.cycles import materialize_reports
from reporting.models import (
    Attachment, ContributionRequest, Extension, Indicator, IndicatorValue, Notice, Notification, OfficialReport,
    PlanIndicator, ProvinceReportJob, Report, Target,
)
from tasks.models import PlanItem, SplitDecision
from tests.factories import AgencyFactory, JurisdictionFactory, MembershipFactory, UserFactory, build_plan
from tests.reporting.factories import ReportingCycleFactory

ROLES = ("anon", "alice", "hana", "bob", "sam", "rita", "leo", "yann", "admin")
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
# Distinctive text in each owner's reports, evidence names, extension reasons and notifications:
# a page may show an owner's marker only to the roles listed in MAY_READ.
MARKERS = {"A": "BIMAT-A-7f3", "B": "BIMAT-B-8e4", "Y": "BIMAT-Y-9d5"}
MAY_READ = {
    "anon": set(), "alice": {"A"}, "hana": {"A"}, "bob": {"B"}, "sam": set(),
    "rita": {"A", "B"}, "leo": {"A", "B"}, "yann": {"Y"}, "admin": {"A", "B", "Y"},
}

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE)
EVENT_ATTRIBUTE = re.compile(r"<[a-zA-Z][^>]*\son[a-z]+\s*=", re.IGNORECASE)

# --- the world -------------------------------------------------------------------------------------


@dataclass
class Side:
    """What one owner (A, B or Y) has: reports in three states and what hangs off them."""
    agency: object
    supporter: object
    draft: Report
    submitted: Report
    accepted: Report
    attachment: Attachment
    contribution: ContributionRequest
    extension: Extension
    notification: Notification
    cycle_prev: object
    # indicators: the agency answers for `indicator` (a plan indicator of its province's plan), with
    # figures of three earlier years as a draft (with evidence), submitted and accepted
    indicator: object = None
    value_draft: object = None
    value_submitted: object = None
    value_accepted: object = None


@dataclass
class Province:
    plan: object
    item: PlanItem
    cycle: object
    job: ProvinceReportJob
    official: OfficialReport


@dataclass
class World:
    users: dict
    sides: dict = field(default_factory=dict)        # "A", "B", "Y"
    provinces: dict = field(default_factory=dict)    # "X", "Y"
    catalogue: object = None                         # the national indicator both provinces adopt


def _cycles(plan, today):
    """This year's annual cycle (open today, due in 20 days) and last year's (for new extension
    requests: the pending ones below sit on this year's cycle)."""
    current = ReportingCycleFactory(plan=plan, year=today.year)
    previous = ReportingCycleFactory(plan=plan, year=today.year - 1)
    materialize_reports(current)
    materialize_reports(previous)
    return current, previous


def build_world() -> World:
    today, now = timezone.localdate(), timezone.now()
    x, y = JurisdictionFactory(name="Bình Dương"), JurisdictionFactory(name="Đồng Nai")
    a = AgencyFactory(jurisdiction=x, name="Sở Tài nguyên và Môi trường")
    b = AgencyFactory(jurisdiction=x, name="Sở Công Thương")
    s = AgencyFactory(jurisdiction=x, name="Sở Xây dựng")
    c = AgencyFactory(jurisdiction=y, name="Sở Nông nghiệp và Môi trường Đồng Nai")
    d = AgencyFactory(jurisdiction=y, name="Sở Tài chính Đồng Nai")

    plan_x = build_plan(jurisdiction=x, themes=1, groups=1, activities=3, lead=a, supporting=[s], code="bd")
    theme = plan_x.items.get(code="1")
    group = PlanItem.objects.create(plan=plan_x, level="group", code="1.2", parent=theme, title="Nhóm của B")
    for n in (1, 2, 3):
        item = PlanItem.objects.create(plan=plan_x, level="activity", code=f"1.2.{n}", parent=group,
                                       title=f"Hoạt động 1.2.{n} của B", lead_agency=b, start_year=2023, end_year=2030)
        item.supporting_agencies.add(s)
    plan_x.public_enabled = True
    plan_x.save()
    plan_y = build_plan(jurisdiction=y, themes=1, groups=1, activities=3, lead=c, supporting=[d], code="dn")

    def member(agency, username, role=Membership.Role.OFFICER):
        return MembershipFactory(agency=agency, user=UserFactory(username=username), role=role).user

    users = {
        "alice": member(a, "alice"), "hana": member(a, "hana", Membership.Role.HEAD),
        "bob": member(b, "bob"), "sam": member(s, "sam"),
        "rita": UserFactory(username="rita"), "leo": UserFactory(username="leo"), "yann": UserFactory(username="yann"),
        "carl": member(c, "carl", Membership.Role.HEAD),
    }
    JurisdictionRole.objects.create(user=users["rita"], jurisdiction=x, role="reviewer")
    JurisdictionRole.objects.create(user=users["leo"], jurisdiction=x, role="leader")
    JurisdictionRole.objects.create(user=users["yann"], jurisdiction=y, role="reviewer")
    users["admin"] = get_user_model().objects.create_superuser("root", "root@example.org", "correct-horse-battery-9")

    world = World(users=users)
    cycles = {}
    for key, plan in (("X", plan_x), ("Y", plan_y)):
        current, previous = _cycles(plan, today)
        cycles[key] = (current, previous)
        path = default_storage.save(f"province-reports/matrix-{key}.xlsx", ContentFile(b"PK\x03\x04 matrix"))
        job = ProvinceReportJob.objects.create(cycle=current, format="xlsx", status="done", progress=100,
                                               file_path=path, finished_at=now, requested_by=users["admin"])
        item = plan.items.filter(level="activity").order_by("sort_key").first()
        signed = default_storage.save(f"official-reports/matrix-{key}.pdf", ContentFile(PDF))
        official = OfficialReport.objects.create(cycle=current, job=job, source="upload", file_path=signed,
                                                 sha256="0" * 64, size=len(PDF), stored_by=users["admin"],
                                                 verification="Hợp lệ")
        world.provinces[key] = Province(plan=plan, item=item, cycle=current, job=job, official=official)

    for key, agency, supporter, province, reader in (("A", a, s, "X", "alice"), ("B", b, s, "X", "bob"),
                                                     ("Y", c, d, "Y", "yann")):
        current, previous = cycles[province]
        marker = MARKERS[key]
        draft, submitted, accepted = Report.objects.filter(cycle=current, agency=agency).order_by("item__sort_key")[:3]
        common = {"status": "on_schedule", "percent_complete": 40, "results": f"Kết quả {marker}", "version": 1}
        Report.objects.filter(pk=draft.pk).update(state="draft", **common)
        Report.objects.filter(pk=submitted.pk).update(state="submitted", submitted_at=now, **common)
        Report.objects.filter(pk=accepted.pk).update(state="accepted", submitted_at=now, reviewed_at=now, **common)
        attachment = Attachment(report=draft, original_name=f"bien-ban-{marker}.pdf", content_type="application/pdf",
                                size=len(PDF))
        attachment.file.save("evidence.pdf", ContentFile(PDF), save=False)
        attachment.save()
        world.sides[key] = Side(
            agency=agency, supporter=supporter,
            draft=Report.objects.get(pk=draft.pk), submitted=Report.objects.get(pk=submitted.pk),
            accepted=Report.objects.get(pk=accepted.pk), attachment=attachment,
            contribution=ContributionRequest.objects.create(report=submitted, agency=supporter,
                                                            due_on=today, message="Đề nghị góp ý"),
            extension=Extension.objects.create(cycle=current, agency=agency, reason=f"Lý do {marker}"),
            notification=Notification.objects.create(user=users[reader], title=f"Thông báo {marker}", url="/reports/"),
            cycle_prev=previous,
        )
    catalogue = Indicator.objects.create(name="Tổng lượng phát thải khí nhà kính", code="1.2", direction="lower")
    for key, side in world.sides.items():
        province = world.provinces["Y" if key == "Y" else "X"]
        pi = PlanIndicator.objects.create(plan=province.plan, indicator=catalogue, code=f"GHG-{key}",
                                          baseline_value=100, baseline_year=today.year - 4, lead_agency=side.agency)
        Target.objects.create(plan_indicator=pi, year=province.plan.period_end, kind="value", value=80)

        def figure(year, state, pi=pi, cycle=province.cycle):
            return IndicatorValue.objects.create(plan_indicator=pi, cycle=cycle, agency=side.agency, year=year,
                                                 value=90, state=state, submitted_at=now if state != "draft" else None)
        side.indicator = pi
        side.value_draft = figure(today.year - 3, "draft")
        side.value_draft.evidence_name = f"minh-chung-{MARKERS[key]}.pdf"
        side.value_draft.evidence.save("evidence.pdf", ContentFile(PDF), save=True)
        side.value_submitted = figure(today.year - 2, "submitted")
        side.value_accepted = figure(today.year - 1, "accepted")
    world.catalogue = catalogue
    return world


@pytest.fixture(scope="module")
def w(django_db_setup, django_db_blocker):
    """One world for the whole module; each cell runs in a savepoint rolled back after it."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            yield build_world()
            transaction.set_rollback(True)


# --- what a cell needs: the URL's arguments, the POST data, the state a POST may change ------------


def _side(w, o) -> Side:
    return w.sides[o]


def _province(w, o) -> Province:
    return w.provinces[o]


def _state(report):
    return lambda w, o: Report.objects.values_list("state", "version").get(pk=getattr(_side(w, o), report).pk)


def _due(w, o):
    return timezone.localtime(_side(w, o).draft.cycle.due_at).date()


def _value(attr):
    return lambda w, o: IndicatorValue.objects.values_list("state", "value", "revision").get(pk=getattr(_side(w, o), attr).pk)


def _text_of(report):
    return lambda w, o: Report.objects.values_list("state", "version", "results").get(pk=getattr(_side(w, o), report).pk)


def _fields(w, o, **extra):
    data = {f: "" for f in ("status", "percent_complete", "results", "outputs", "difficulties", "proposals",
                            "funds_central", "funds_local", "funds_oda", "funds_other")}
    data.update(status="behind", percent_complete="55", results="Đã cập nhật", base_version="1", **extra)
    return data


@dataclass
class Row:
    name: str
    args: Callable | None          # (world, owner) -> reverse() args
    get: dict                      # owner -> nine outcomes, one per role
    post: dict | None = None
    data: Callable | None = None   # (world, owner) -> POST data
    probe: Callable | None = None  # (world, owner) -> the state a POST may change
    query: str = ""
    kwargs: Callable | None = None

    @property
    def label(self):
        return self.name + (f"?{self.query}" if self.query else "")


def row(name, get, *, args=None, post=None, data=None, probe=None, query="", kwargs=None) -> Row:
    as_dict = lambda v: v if isinstance(v, dict) or v is None else {"-": v}  # noqa: E731
    return Row(name, args, as_dict(get), as_dict(post), data, probe, query, kwargs)


report_pk = lambda attr: (lambda w, o: [getattr(_side(w, o), attr).pk])  # noqa: E731
plan_code = lambda w, o: [_province(w, o).plan.code]  # noqa: E731
cycle_pk = lambda w, o: [_province(w, o).cycle.pk]  # noqa: E731
job_pk = lambda w, o: [_province(w, o).job.pk]  # noqa: E731
value_pk = lambda attr: (lambda w, o: [getattr(_side(w, o), attr).pk])  # noqa: E731
ADMIN_ONLY = "login adm adm adm adm adm adm adm 200"
# The admin site's own views carry the admin's login URL, so even the anonymous visitor is sent there
# (ModelAdmin views lose that attribute in their wrapper and go through LOGIN_URL: both are logins).
ADMIN_SITE_ONLY = "adm adm adm adm adm adm adm adm 200"
LOGGED_IN_200 = "login 200 200 200 200 200 200 200 200"
POST_ONLY_GET = "login 302 302 302 302 302 302 302 302"   # a POST-only action sends a GET to its page

# The table. Read a line as: for this URL, on this owner's object, the nine roles get ...
#                                   anon  alice hana  bob   sam   rita  leo   yann  admin
REPORT_VISIBLE = {"A": "login 200   200   404   404   200   200   404   200",
                  "B": "login 404   404   200   404   200   200   404   200",
                  "Y": "login 404   404   404   404   404   404   200   200"}
EDIT_BY_AGENCY = {"A": "login ok    ok    404   404   403   403   404   403",
                  "B": "login 404   404   ok    404   403   403   404   403",
                  "Y": "login 404   404   404   404   404   404   403   403"}
REVIEW_MOVE = {"A": "login 403   403   404   404   ok    403   404   ok",
               "B": "login 404   404   403   404   ok    403   404   ok",
               "Y": "login 404   404   404   404   404   404   ok    ok"}
EXTENSION_DECISION = {"A": "login 403   403   404   404   ok    403   404   ok",
                      "B": "login 404   404   403   404   ok    403   404   ok",
                      "Y": "login 404   404   404   404   404   404   ok    ok"}
PLAN_VISIBLE = {"X": "login 200   200   200   200   200   200   404   200",
                "Y": "login 404   404   404   404   404   404   200   200"}
OVERSEERS = {"X": "login 404   404   404   404   200   200   404   200",
             "Y": "login 404   404   404   404   404   404   200   200"}
REVIEWERS = {"X": "login 404   404   404   404   200   403   404   200",
             "Y": "login 404   404   404   404   404   404   200   200"}
PUBLIC = {"X": "200   200   200   200   200   200   200   200   200",
          "Y": "404   404   404   404   404   404   404   404   404"}
# staff_member_required sends even the anonymous visitor to the admin login page.
STAFF_ONLY = {"X": "adm adm adm adm adm adm adm adm 200", "Y": "adm adm adm adm adm adm adm adm 200"}
GET_OF_POST_ONLY = lambda owners: {o: POST_ONLY_GET for o in owners}  # noqa: E731

TABLE: list[Row] = [
    # --- project pages -------------------------------------------------------------------------------
    row("home", "login 302 302 302 302 302 302 302 302"),
    row("healthz", "200 200 200 200 200 200 200 200 200"),
    row("favicon", "302 302 302 302 302 302 302 302 302"),  # a permanent redirect to the static icon
    row("attention", "login 404 404 404 404 404 404 404 200"),
    # The menu's cycle places: overseers are sent on to the cycle they work on, everyone else 404.
    row("focus", "login 404 404 404 404 302 302 302 302", kwargs=lambda w, o: {"place": "status"}),
    row("focus", "login 404 404 404 404 302 302 302 302", kwargs=lambda w, o: {"place": "dashboard"}),
    row("focus", "login 404 404 404 404 302 404 302 302", kwargs=lambda w, o: {"place": "province_report"}),
    row("login", "200 302 302 302 302 302 302 302 302"),
    row("logout", "login 405 405 405 405 405 405 405 405", post="login 302 302 302 302 302 302 302 302"),
    row("set_language", "302 302 302 302 302 302 302 302 302", post="302 302 302 302 302 302 302 302 302",
        data=lambda w, o: {"language": "en", "next": "/"}),
    row("public_plan", PUBLIC, args=plan_code),
    # Password change for every user; reset by e-mail link for anyone (the answer never says
    # whether an account exists; a bad link is a page saying so).
    row("password_change", LOGGED_IN_200),
    row("password_change_done", LOGGED_IN_200),
    row("password_reset", "200 200 200 200 200 200 200 200 200"),
    row("password_reset_done", "200 200 200 200 200 200 200 200 200"),
    row("password_reset_confirm", "200 200 200 200 200 200 200 200 200", kwargs=lambda w, o: {"uidb64": "MQ", "token": "sai-ma"}),
    row("password_reset_complete", "200 200 200 200 200 200 200 200 200"),
    # --- reports --------------------------------------------------------------------------------------
    row("reporting:home", "login 200 200 200 200 302 302 302 302"),
    row("reporting:queue", "login 404 404 404 404 200 200 200 200"),
    row("reporting:bulk_accept", GET_OF_POST_ONLY("ABY"), post=REVIEW_MOVE,
        data=lambda w, o: {"report": [_side(w, o).submitted.pk]}, probe=_state("submitted")),
    row("reporting:contributions", LOGGED_IN_200),
    # "Send a reminder now": the plan's reviewers; a leader sees the cycle but may not send (403).
    row("reporting:remind_now", REVIEWERS, args=cycle_pk, post={
        "X": "login 404   404   404   404   ok    403   404   ok",
        "Y": "login 404   404   404   404   404   404   ok    ok"},
        data=lambda w, o: {"agency": "all"},
        probe=lambda w, o: Notice.objects.filter(cycle=_province(w, o).cycle, rule="now").count()),
    row("reporting:contribution_answer", GET_OF_POST_ONLY("ABY"), args=report_pk("contribution"), post={
        "A": "login 403   403   404   ok    403   403   404   403",
        "B": "login 404   404   403   ok    403   403   404   403",
        "Y": "login 404   404   404   404   404   404   403   403"},
        data=lambda w, o: {f"c{_side(w, o).contribution.pk}-answer": "Ý kiến của cơ quan phối hợp"},
        probe=lambda w, o: ContributionRequest.objects.values_list("answered_at").get(pk=_side(w, o).contribution.pk)),
    row("reporting:extension_request", GET_OF_POST_ONLY("ABY"), post={
        "A": "login ok    ok    no    no    no    no    no    no",
        "B": "login no    no    ok    no    no    no    no    no",
        "Y": "login no    no    no    no    no    no    no    no"},
        data=lambda w, o: {"target": f"{_side(w, o).cycle_prev.pk}:{_side(w, o).agency.pk}", "reason": "Cần thêm thời gian"},
        probe=lambda w, o: Extension.objects.filter(cycle=_side(w, o).cycle_prev, agency=_side(w, o).agency).count()),
    row("reporting:extension_grant", GET_OF_POST_ONLY("ABY"), args=report_pk("extension"), post=EXTENSION_DECISION,
        data=lambda w, o: {"new_due_on": f"{_due(w, o) + dt.timedelta(days=10):%d/%m/%Y}", "comment": "Đồng ý"},
        probe=lambda w, o: Extension.objects.values_list("state").get(pk=_side(w, o).extension.pk)),
    row("reporting:extension_refuse", GET_OF_POST_ONLY("ABY"), args=report_pk("extension"), post=EXTENSION_DECISION,
        data=lambda w, o: {"comment": "Không đủ căn cứ"},
        probe=lambda w, o: Extension.objects.values_list("state").get(pk=_side(w, o).extension.pk)),
    row("reporting:attachment_download", REPORT_VISIBLE, args=report_pk("attachment")),
    row("reporting:attachment_delete", GET_OF_POST_ONLY("ABY"), args=report_pk("attachment"), post=EDIT_BY_AGENCY,
        probe=lambda w, o: Attachment.objects.filter(pk=_side(w, o).attachment.pk).exists()),
    row("reporting:report", REPORT_VISIBLE, args=report_pk("draft")),
    row("reporting:changes", REPORT_VISIBLE, args=report_pk("draft")),
    row("reporting:save", GET_OF_POST_ONLY("ABY"), args=report_pk("draft"), post=EDIT_BY_AGENCY,
        data=_fields, probe=_text_of("draft")),
    row("reporting:submit", GET_OF_POST_ONLY("ABY"), args=report_pk("draft"), post={
        "A": "login 403   ok    404   404   403   403   404   403",
        "B": "login 404   404   403   404   403   403   404   403",
        "Y": "login 404   404   404   404   404   404   403   403"},
        probe=_state("draft")),
    row("reporting:return", GET_OF_POST_ONLY("ABY"), args=report_pk("submitted"), post=REVIEW_MOVE,
        data=lambda w, o: {"comment": "Cần bổ sung số liệu"}, probe=_state("submitted")),
    row("reporting:accept", GET_OF_POST_ONLY("ABY"), args=report_pk("submitted"), post=REVIEW_MOVE,
        data=lambda w, o: {"comment": ""}, probe=_state("submitted")),
    row("reporting:reopen", GET_OF_POST_ONLY("ABY"), args=report_pk("accepted"), post=REVIEW_MOVE,
        data=lambda w, o: {"reason": "Số liệu kinh phí sai"}, probe=_state("accepted")),
    row("reporting:attachment_upload", GET_OF_POST_ONLY("ABY"), args=report_pk("draft"), post=EDIT_BY_AGENCY,
        data=lambda w, o: {"file": SimpleUploadedFile("bien-ban.pdf", PDF, content_type="application/pdf")},
        probe=lambda w, o: Attachment.objects.filter(report=_side(w, o).draft).count()),
    row("reporting:contribution_request", GET_OF_POST_ONLY("ABY"), args=report_pk("draft"), post=EDIT_BY_AGENCY,
        data=lambda w, o: {"agency": _side(w, o).supporter.pk, "due_on": f"{_due(w, o) - dt.timedelta(days=2):%d/%m/%Y}",
                           "message": "Xin góp ý"},
        probe=lambda w, o: ContributionRequest.objects.filter(report=_side(w, o).draft).count()),
    # Heads grant "may submit" to their officers: officers of the agency 403, outsiders 404. In Y the
    # only member is carl, a head: granting a head is refused politely.
    row("reporting:submitters", {"A": "login 403   200   404   404   404   404   404   200",
                                 "B": "login 404   404   403   404   404   404   404   200",
                                 "Y": "login 404   404   404   404   404   404   404   200"},
        args=lambda w, o: [_side(w, o).agency.pk], post={
            "A": "login 403   ok    404   404   404   404   404   ok",
            "B": "login 404   404   403   404   404   404   404   ok",
            "Y": "login 404   404   404   404   404   404   404   no"},
        data=lambda w, o: {"membership": Membership.objects.filter(agency=_side(w, o).agency).order_by("-role").first().pk,
                           "allowed": "1"},
        probe=lambda w, o: sorted(Membership.objects.filter(agency=_side(w, o).agency).values_list("pk", "can_submit"))),
    # --- indicator values (reporting/indicators/views.py): the report workflow's answers ----------------
    row("reporting:indicators", LOGGED_IN_200),
    row("reporting:indicator_value_add", GET_OF_POST_ONLY("ABY"), args=lambda w, o: [_side(w, o).indicator.pk],
        post=EDIT_BY_AGENCY,
        data=lambda w, o: {"cycle": _side(w, o).value_draft.cycle_id, "year": _side(w, o).value_draft.cycle.year,
                           "value": "95", "source": "official"},
        probe=lambda w, o: IndicatorValue.objects.filter(plan_indicator=_side(w, o).indicator).count()),
    row("reporting:indicator_value_save", GET_OF_POST_ONLY("ABY"), args=value_pk("value_draft"), post=EDIT_BY_AGENCY,
        data=lambda w, o: {"value": "91,5", "source": "survey", "note": "Điều tra"}, probe=_value("value_draft")),
    row("reporting:indicator_value_submit", GET_OF_POST_ONLY("ABY"), args=value_pk("value_draft"), post={
        "A": "login 403   ok    404   404   403   403   404   403",
        "B": "login 404   404   403   404   403   403   404   403",
        "Y": "login 404   404   404   404   404   404   403   403"},
        probe=_value("value_draft")),
    row("reporting:indicator_value_return", GET_OF_POST_ONLY("ABY"), args=value_pk("value_submitted"),
        post=REVIEW_MOVE, data=lambda w, o: {"comment": "Ghi rõ nguồn"}, probe=_value("value_submitted")),
    row("reporting:indicator_value_accept", GET_OF_POST_ONLY("ABY"), args=value_pk("value_submitted"),
        post=REVIEW_MOVE, probe=_value("value_submitted")),
    row("reporting:indicator_value_reopen", GET_OF_POST_ONLY("ABY"), args=value_pk("value_accepted"),
        post=REVIEW_MOVE, data=lambda w, o: {"reason": "Số liệu chưa khớp niên giám"}, probe=_value("value_accepted")),
    row("reporting:indicator_value_revise", GET_OF_POST_ONLY("ABY"), args=value_pk("value_accepted"),
        post=EDIT_BY_AGENCY, data=lambda w, o: {"value": "89", "note": "Niên giám thống kê công bố lại"},
        probe=_value("value_accepted")),
    row("reporting:indicator_evidence", REPORT_VISIBLE, args=value_pk("value_draft")),
    row("dashboard:indicator", {"A": "login 404   404   404   404   200   200   404   200",
                                "B": "login 404   404   404   404   200   200   404   200",
                                "Y": "login 404   404   404   404   404   404   200   200"},
        args=lambda w, o: [_side(w, o).indicator.pk]),
    row("dashboard:indicator_compare", "login 404 404 404 404 200 200 200 200", args=lambda w, o: [w.catalogue.pk]),
    # --- plans and agencies ---------------------------------------------------------------------------
    row("tasks:plan_list", LOGGED_IN_200),
    row("tasks:plan_detail", PLAN_VISIBLE, args=plan_code),
    row("tasks:item_detail", PLAN_VISIBLE, args=lambda w, o: [_province(w, o).plan.code, _province(w, o).item.pk]),
    row("tasks:split_decisions", STAFF_ONLY, args=plan_code),
    row("tasks:split_decide", {"X": "adm adm adm adm adm adm adm adm 405", "Y": "adm adm adm adm adm adm adm adm 405"},
        args=lambda w, o: [_province(w, o).plan.code, _province(w, o).item.pk],
        post={"X": "adm adm adm adm adm adm adm adm no", "Y": "adm adm adm adm adm adm adm adm no"},
        probe=lambda w, o: SplitDecision.objects.count()),
    row("agencies:list", LOGGED_IN_200),
    row("agencies:detail", {
        "A": "login 200   200   200   200   200   200   404   200",
        "B": "login 200   200   200   200   200   200   404   200",
        "Y": "login 404   404   404   404   404   404   200   200"},
        args=lambda w, o: [_side(w, o).agency.pk]),
    # --- dashboards, consolidated status, province report, public page --------------------------------
    row("dashboard:overview", LOGGED_IN_200),
    row("dashboard:plan", {"X": "login 404 404 404 404 302 302 404 302", "Y": "login 404 404 404 404 404 404 302 302"},
        args=plan_code),
    row("dashboard:cycle", OVERSEERS, args=cycle_pk),
    row("dashboard:status", OVERSEERS, args=cycle_pk),
    row("dashboard:status", OVERSEERS, args=cycle_pk, query="export=xlsx"),
    row("dashboard:province_report", REVIEWERS, args=cycle_pk, post={
        "X": "login 404   404   404   404   ok    403   404   ok",
        "Y": "login 404   404   404   404   404   404   ok    ok"},
        data=lambda w, o: {"number": "12/BC-STC", "date": "20/11/2026", "place": "Thủ Dầu Một", "signer_title": "Giám đốc",
                           "ministry": "Bộ Tài chính", "recipients": "- Bộ Tài chính\n- Lưu: VT", "format": "pdf",
                           # the cycle has an official (signed) report: a new generation says why
                           "replacement_reason": "Bổ sung số liệu quý IV"},
        probe=lambda w, o: ProvinceReportJob.objects.filter(cycle=_province(w, o).cycle).count()),
    row("dashboard:job", REVIEWERS, args=job_pk),
    row("dashboard:job_json", REVIEWERS, args=job_pk),
    row("dashboard:job_download", REVIEWERS, args=job_pk),
    # The job in the world is done: a retry is refused (only a failed or stalled job runs again).
    row("dashboard:job_retry", {"X": "login 404   404   404   404   302   403   404   302",
                                "Y": "login 404   404   404   404   404   404   302   302"}, args=job_pk, post={
        "X": "login 404   404   404   404   no    403   404   no",
        "Y": "login 404   404   404   404   404   404   no    no"},
        probe=lambda w, o: ProvinceReportJob.objects.values_list("status", "progress", "file_path").get(
            pk=_province(w, o).job.pk)),
    row("dashboard:public", PUBLIC, args=plan_code),
    # The official (signed) report: reviewers upload and download; the public page's link opens the
    # signed PDF of a public plan to anyone. The upload here is an unsigned PDF: refused, nothing kept.
    row("dashboard:official_report", REVIEWERS, args=cycle_pk, post={
        "X": "login 404   404   404   404   no    403   404   no",
        "Y": "login 404   404   404   404   404   404   no    no"},
        data=lambda w, o: {"file": SimpleUploadedFile("da-ky.pdf", PDF, content_type="application/pdf"),
                           "reason": "Bổ sung số liệu"},
        probe=lambda w, o: OfficialReport.objects.filter(cycle=_province(w, o).cycle).count()),
    # Counter-signing needs the organisation's certificate, which the matrix world has not configured:
    # reviewers are refused politely, nothing is queued.
    row("dashboard:official_report_countersign", {"X": "login 404   404   404   404   302   403   404   302",
                                                  "Y": "login 404   404   404   404   404   404   302   302"},
        args=cycle_pk, post={"X": "login 404   404   404   404   no    403   404   no",
                             "Y": "login 404   404   404   404   404   404   no    no"},
        probe=lambda w, o: ProvinceReportJob.objects.filter(cycle=_province(w, o).cycle).count()),
    row("dashboard:official_report_download", REVIEWERS, args=lambda w, o: [_province(w, o).official.pk]),
    row("dashboard:public_official_report", PUBLIC,
        args=lambda w, o: [_province(w, o).plan.code, _province(w, o).official.pk]),
    # --- notifications ---------------------------------------------------------------------------------
    row("reporting_notices:list", LOGGED_IN_200),
    row("reporting_notices:read", {o: "login 405 405 405 405 405 405 405 405" for o in "ABY"},
        args=report_pk("notification"), post={
            "A": "login ok    404   404   404   404   404   404   404",
            "B": "login 404   404   ok    404   404   404   404   404",
            "Y": "login 404   404   404   404   404   404   ok    404"},
        probe=lambda w, o: Notification.objects.values_list("read_at").get(pk=_side(w, o).notification.pk)),
    row("reporting_notices:read_all", "login 405 405 405 405 405 405 405 405",
        post="login ok no ok no no no ok no",
        probe=lambda w, o: sorted(Notification.objects.values_list("pk", "read_at"))),
    # --- the read API (greenplan/api): a session is not a token, so a logged-in browser gets the public
    # answer (published plan X's accepted figures) or 401; what tokens see is API_TABLE below --------
    row("api:plans", "200 200 200 200 200 200 200 200 200"),
    row("api:plan_items", "401 401 401 401 401 401 401 401 401"),
    row("api:agencies", "401 401 401 401 401 401 401 401 401"),
    row("api:cycles", "200 200 200 200 200 200 200 200 200"),
    row("api:reports", "200 200 200 200 200 200 200 200 200"),
    row("api:indicators", "200 200 200 200 200 200 200 200 200"),
    row("api:official_report", PUBLIC, kwargs=lambda w, o: {"cycle_id": _province(w, o).cycle.pk}),
    row("api:schema", "200 200 200 200 200 200 200 200 200"),
    row("api:docs", "200 200 200 200 200 200 200 200 200"),
    row("api:not_found", "404 404 404 404 404 404 404 404 404"),
    # --- the admin site's own URLs (model URLs are sampled below) --------------------------------------
    row("admin:index", ADMIN_SITE_ONLY),
    row("admin:login", "200 200 200 200 200 200 200 200 302"),
    row("admin:logout", "adm 302 302 302 302 302 302 302 405", post="adm 302 302 302 302 302 302 302 302"),
    row("admin:password_change", ADMIN_SITE_ONLY),
    row("admin:password_change_done", ADMIN_SITE_ONLY),
    row("admin:autocomplete", "adm adm adm adm adm adm adm adm 403"),
    row("admin:jsi18n", ADMIN_SITE_ONLY),
    row("admin:view_on_site", "adm adm adm adm adm adm adm adm 404",
        args=lambda w, o: [ContentType.objects.get_for_model(Report).pk, _side(w, "A").draft.pk]),
    row("admin:app_list", ADMIN_SITE_ONLY, kwargs=lambda w, o: {"app_label": "reporting"}),
    row("admin:tasks_planitem_import", ADMIN_ONLY),
    row("admin:reporting_indicator_import", ADMIN_ONLY),
    row("admin:tasks_planitem_process_import", "login adm adm adm adm adm adm adm 405"),
    # the empty plan template: a ModelAdmin URL, so anon goes through LOGIN_URL like the import itself
    row("admin:tasks_planitem_template", ADMIN_ONLY),
    # --- admin model URLs: the sample ------------------------------------------------------------------
    row("admin:auth_user_change", ADMIN_ONLY, args=lambda w, o: [w.users["alice"].pk]),
    row("admin:auth_user_password_change", ADMIN_ONLY, args=lambda w, o: [w.users["alice"].pk]),
    row("admin:reporting_report_change", ADMIN_ONLY, args=lambda w, o: [_side(w, "A").draft.pk]),
]
# The offline workbook (reporting/views_workbook.py): only members of the agency, never reviewers
# or admins (they do not write reports). Written by hand before the URLs were wired into
# reporting/urls.py; they join the table as soon as the names resolve.
WORKBOOK_OWNERS = lambda w, o: {"cycle_id": _side(w, o).draft.cycle_id, "agency_id": _side(w, o).agency.pk}  # noqa: E731
AGENCY_MEMBERS = {"A": "login 200   200   404   404   404   404   404   404",
                  "B": "login 404   404   200   404   404   404   404   404",
                  "Y": "login 404   404   404   404   404   404   404   404"}
MEMBER_POSTS = {"A": "login no    no    404   404   404   404   404   404",
                "B": "login 404   404   no    404   404   404   404   404",
                "Y": "login 404   404   404   404   404   404   404   404"}
_agency_reports = lambda w, o: sorted(Report.objects.filter(agency=_side(w, o).agency).values_list(  # noqa: E731
    "pk", "state", "version"))
WORKBOOK_ROWS = [
    row("reporting:workbook_download", AGENCY_MEMBERS, kwargs=WORKBOOK_OWNERS),
    row("reporting:workbook_upload", AGENCY_MEMBERS, kwargs=WORKBOOK_OWNERS, post=MEMBER_POSTS,
        data=lambda w, o: {"file": SimpleUploadedFile("bao-cao.xlsx", b"not a workbook", content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")},
        probe=_agency_reports),
    row("reporting:workbook_confirm", {"A": "login 302   302   404   404   404   404   404   404",
                                       "B": "login 404   404   302   404   404   404   404   404",
                                       "Y": "login 404   404   404   404   404   404   404   404"},
        kwargs=WORKBOOK_OWNERS, post=MEMBER_POSTS, data=lambda w, o: {"token": "guessed-token", "action": "save"},
        probe=_agency_reports),
]


def _resolvable(name):
    from django.urls import NoReverseMatch

    try:
        reverse(name, kwargs={"cycle_id": 1, "agency_id": 1})
    except NoReverseMatch:
        return False
    return True


TABLE += [r for r in WORKBOOK_ROWS if _resolvable(r.name)]
# ... and the changelist of every registered model (the same hand-written answer for each).
ADMIN_MODEL_SUFFIXES = ("changelist", "add", "change", "delete", "history", "simple_history")
TABLE += [row(f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist", ADMIN_ONLY) for m in admin.site._registry]


# --- running a cell ----------------------------------------------------------------------------------


def outcome(response) -> str:
    if response.status_code in (301, 302, 303):
        location = response["Location"]
        if location.startswith(reverse("login") + "?next="):
            return "login"
        if location.startswith(reverse("admin:login") + "?next="):
            return "adm"
        return "302"
    return str(response.status_code)


def _client(w, role) -> Client:
    client = Client()
    if role != "anon":
        client.force_login(w.users[role])
    return client


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        # Consuming the content closes the response the way the test client expects; closing it
        # again here would fire request_finished and close the (PostgreSQL) connection mid-test.
        return b"".join(response.streaming_content)
    return response.content


def _url(w, r: Row, owner) -> str:
    o = None if owner == "-" else owner
    if r.kwargs:
        url = reverse(r.name, kwargs=r.kwargs(w, o))
    else:
        url = reverse(r.name, args=r.args(w, o) if r.args else None)
    return url + (f"?{r.query}" if r.query else "")


CHECKED = {"cells": 0, "urls": set(), "pages": 0}


def _check_page(role, label, response, body, problems):
    """A page shown to `role` carries no other owner's marker and no inline script."""
    if not response.get("Content-Type", "").startswith("text/html"):
        return
    text = body.decode("utf-8", "replace")
    for owner, marker in MARKERS.items():
        if marker in text and owner not in MAY_READ[role]:
            problems.append(f"{label} as {role}: shows {owner}'s data ({marker})")
    if not label.startswith("admin:"):
        CHECKED["pages"] += 1
        if INLINE_SCRIPT.search(text) or EVENT_ATTRIBUTE.search(text):
            problems.append(f"{label} as {role}: inline script or on*= attribute")


def run_cell(w, r: Row, owner, role, method, expected, problems):
    label = f"{r.label} [{owner}] {method}"
    url = _url(w, r, owner)
    with transaction.atomic():
        before = r.probe(w, None if owner == "-" else owner) if (r.probe and method == "POST") else None
        client = _client(w, role)
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, r.data(w, None if owner == "-" else owner) if r.data else {})
        body = _body(response)
        got = outcome(response)
        if method == "POST" and r.probe:
            after = r.probe(w, None if owner == "-" else owner)
            changed = after != before
            if got in ("200", "302"):
                got = "ok" if changed else "no"
            elif changed:
                got += "+CHANGED"
        if got != expected:
            problems.append(f"{label} as {role}: expected {expected}, got {got} ({url})")
        if response.status_code == 200:
            _check_page(role, r.label, response, body, problems)
        transaction.set_rollback(True)
    CHECKED["cells"] += 1


@pytest.mark.parametrize("r", TABLE, ids=lambda r: r.label)
def test_cell(w, r, db):
    problems = []
    for method, answers in (("GET", r.get), ("POST", r.post)):
        if answers is None:
            continue
        for owner, line in answers.items():
            expected = line.split()
            assert len(expected) == len(ROLES), f"{r.label} [{owner}] {method}: {len(expected)} answers"
            for role, want in zip(ROLES, expected):
                run_cell(w, r, owner, role, method, want, problems)
    CHECKED["urls"].add(r.name)
    assert not problems, "\n".join(problems)


# --- the read API with tokens -------------------------------------------------------------------------
# Each API endpoint × every client: no token, an unknown token, a revoked one, then each role's token
# scoped to its own jurisdictions (an admin's: all) and the same role's token scoped to the other
# province (Y for the people of X, X for yann, Y for the admin). A cell of a list is the owners whose
# objects the answer holds: reports and indicators by agency (A, B, Y; a lowercase letter when only
# accepted figures are shown), everything else by province (X, Y); "-" an empty list; else the status.
# Every answer is also scanned for other owners' markers (report texts, evidence names).
API_CLIENTS = ("anon", "unknown", "revoked",
               "alice", "hana", "bob", "sam", "rita", "leo", "yann", "admin",
               "alice~", "hana~", "bob~", "sam~", "rita~", "leo~", "yann~", "admin~")


@dataclass
class ApiRow:
    name: str
    cells: dict  # owner ("-" for a list) -> 19 answers, one per client
    kwargs: Callable | None = None


#                           anon unknown revoked | own: alice hana bob sam rita leo yann admin | other scope: the same
API_TABLE = [
    ApiRow("api:plans", {"-": "X 401 401   X X X X X X Y XY    - - - - - - - Y"}),
    ApiRow("api:plan_items", {"-": "401 401 401   X X X X X X Y XY    - - - - - - - Y"}),
    ApiRow("api:agencies", {"-": "401 401 401   X X X X X X Y XY    - - - - - - - Y"}),
    ApiRow("api:cycles", {"-": "X 401 401   X X X X X X Y XY    - - - - - - - Y"}),
    ApiRow("api:reports", {"-": "ab 401 401   A A B - AB AB Y ABY    - - - - - - - Y"}),
    ApiRow("api:indicators", {"-": "ab 401 401   A A B - AB AB Y ABY    - - - - - - - Y"}),
    # The official report follows its page (reviewers; leaders and agencies 404) and, without a token,
    # the public link of published plan X.
    ApiRow("api:official_report", {
        "X": "200 401 401   404 404 404 404 200 404 404 200    404 404 404 404 404 404 404 404",
        "Y": "404 401 401   404 404 404 404 404 404 200 200    404 404 404 404 404 404 404 200"},
        kwargs=lambda w, o: {"cycle_id": _province(w, o).cycle.pk}),
]


def _api_owner(w, name, obj) -> str:
    x = w.provinces["X"].plan
    by_agency = {w.sides[k].agency.pk: k for k in "ABY"}
    if name == "api:plans":
        return "X" if obj["code"] == x.code else "Y"
    if name in ("api:plan_items", "api:cycles"):
        return "X" if obj["plan"] == x.code else "Y"
    if name == "api:agencies":
        return "X" if obj["jurisdiction"]["id"] == x.jurisdiction_id else "Y"
    if name == "api:reports":
        return by_agency[obj["agency"]["id"]]
    if name == "api:indicators":
        return obj["code"].split("-")[1]
    raise AssertionError(name)


def _states(name, obj) -> set:
    if name == "api:reports":
        return {obj["state"]}
    if name == "api:indicators":
        return {v["state"] for v in obj["values"]}
    return set()


def api_outcome(w, name, response) -> str:
    if response.status_code != 200 or "results" not in response.json():
        return str(response.status_code)
    body = response.json()
    assert body["count"] == len(body["results"]), f"{name}: the matrix world fits on one page"
    owners = {}
    for obj in body["results"]:
        owners.setdefault(_api_owner(w, name, obj), set()).update(_states(name, obj))
    letters = [o if (states - {"accepted"}) or name not in ("api:reports", "api:indicators") else o.lower()
               for o, states in sorted(owners.items())]
    return "".join(letters) or "-"


def _api_key(w, client_name) -> str | None:
    from greenplan.api.tokens import issue_token, revoke
    from greenplan.models import ApiToken

    if client_name == "anon":
        return None
    if client_name == "unknown":
        return "dGhpcy1pcy1ub3QtYS10b2tlbg"
    if client_name == "revoked":
        issued = issue_token(user=w.users["rita"])
        revoke(ApiToken.objects.filter(pk=issued.token.pk))
        return issued.key
    role, other = client_name.rstrip("~"), client_name.endswith("~")
    x, y = w.provinces["X"].plan.jurisdiction, w.provinces["Y"].plan.jurisdiction
    scope = None
    if other:
        scope = [x] if role == "yann" else [y]
    return issue_token(user=w.users[role], jurisdictions=scope).key


def _api_may_read(client_name) -> set:
    if client_name.endswith("~"):
        return {"Y"} if client_name == "admin~" else set()
    return MAY_READ.get(client_name, set())


@pytest.mark.parametrize("r", API_TABLE, ids=lambda r: r.name)
def test_api_cell(w, r, db, settings):
    settings.API_RATE_PER_MINUTE = 10_000
    problems = []
    for owner, line in r.cells.items():
        expected = line.split()
        assert len(expected) == len(API_CLIENTS), f"{r.name} [{owner}]: {len(expected)} answers"
        url = reverse(r.name, kwargs=r.kwargs(w, owner) if r.kwargs else None)
        for client_name, want in zip(API_CLIENTS, expected):
            with transaction.atomic():
                key = _api_key(w, client_name)
                headers = {"HTTP_AUTHORIZATION": f"Token {key}"} if key else {}
                response = Client().get(url, **headers)
                got = api_outcome(w, r.name, response)
                if got != want:
                    problems.append(f"{r.name} [{owner}] as {client_name}: expected {want}, got {got}")
                text = response.content.decode()
                for marker_owner, marker in MARKERS.items():
                    if marker in text and marker_owner not in _api_may_read(client_name):
                        problems.append(f"{r.name} [{owner}] as {client_name}: shows {marker_owner}'s data ({marker})")
                transaction.set_rollback(True)
            CHECKED["cells"] += 1
    assert not problems, "\n".join(problems)


def test_every_api_endpoint_has_a_token_row():
    data = {name for name, _route in _named_urls() if name and name.startswith("api:")} - {
        "api:schema", "api:docs", "api:not_found"}
    assert data == {r.name for r in API_TABLE}


# --- completeness: every URL in the configuration has a row ------------------------------------------


def _named_urls(patterns=None, namespace=None, prefix=""):
    """(name, route) for every pattern, walking included URLconfs."""
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace and (f"{namespace}:{p.namespace}" if namespace else p.namespace) or namespace
            yield from _named_urls(p.url_patterns, ns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            name = p.name and (f"{namespace}:{p.name}" if namespace else p.name)
            yield name, prefix + str(p.pattern)


def _is_admin_model_url(name: str) -> bool:
    for model in admin.site._registry:
        base = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(base) and name[len(base):] in ADMIN_MODEL_SUFFIXES:
            return True
    return False


def test_every_url_has_a_row():
    rows = {r.name for r in TABLE}
    missing, unnamed = [], []
    for name, route in _named_urls():
        if name is None:
            # The admin's catch-all and its "object_id/ → change/" redirects are the only unnamed ones allowed.
            if not route.startswith("admin/"):
                unnamed.append(route)
            continue
        if name not in rows and not _is_admin_model_url(name):
            missing.append(f"{name} ({route})")
    assert not unnamed, f"unnamed URL patterns (name them and add a row): {unnamed}"
    assert not missing, "URLs with no row in the permission matrix (decide who may open them): " + ", ".join(missing)


def test_every_row_is_a_real_url():
    names = {name for name, _route in _named_urls()}
    assert not [r.name for r in TABLE if r.name not in names]


def test_object_ids_cannot_be_guessed(w, db):
    """An id that does not exist answers like another agency's: 404, never an error or a hint."""
    ghost = 10**9
    for name in ("reporting:report", "reporting:changes", "reporting:attachment_download", "dashboard:cycle", "dashboard:status",
                 "dashboard:job", "dashboard:job_download", "agencies:detail"):
        for role in ("alice", "rita", "admin"):
            response = _client(w, role).get(reverse(name, args=[ghost]))
            assert response.status_code == 404, (name, role, response.status_code)
    for name in ("reporting:save", "reporting:submit", "reporting:accept", "reporting:attachment_delete",
                 "reporting:contribution_answer", "reporting_notices:read"):
        response = _client(w, "alice").post(reverse(name, args=[ghost]), {})
        assert response.status_code == 404, (name, response.status_code)


def test_summary(request):
    """The figure for the issue note, counted from the table (and from what ran, when all of it ran)."""
    names = {r.name for r in TABLE}
    cells = sum(len(answers) * len(ROLES) for r in TABLE for answers in (r.get, r.post) if answers)
    gets = sum(len(r.get) * len(ROLES) for r in TABLE)
    message = (f"permission matrix: {len(names)} URL names ({len(TABLE)} rows) × {len(ROLES)} roles × owners "
               f"(A/B/Y, X/Y or none) = {cells} cells ({gets} GET, {cells - gets} POST); API tokens: {len(API_TABLE)} "
               f"endpoints × {len(API_CLIENTS)} clients = {sum(len(r.cells) for r in API_TABLE) * len(API_CLIENTS)} cells; "
               f"this run checked {CHECKED['cells']} cells and scanned {CHECKED['pages']} rendered pages for inline script")
    print(message)
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("\n" + message)
