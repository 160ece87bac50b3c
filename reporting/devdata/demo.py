"""Demo reporting data for `make run`: cycles 2023–2026 of a plan, with reports in every state.

Past cycles (2023–2025) are loaded as history, the way a migration from a previous system
would load them; the open 2026 cycle is filled through the workflow functions, so its audit
trail is the one real use produces. Deterministic: the same data every time.
"""
from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, Jurisdiction, Membership
from agencies.restructuring import find_agency
from tasks.models import Plan, PlanItem
from tasks.selectors import carried_plans

from reporting.reports import workflow
from reporting.reports.cycles import create_cycles, create_jurisdiction_cycle
from reporting.models import ContributionRequest, Extension, Report, ReportEvent, ReportingCycle, end_of_day

VN = ZoneInfo("Asia/Ho_Chi_Minh")

RESULTS = [
    "Đã ban hành kế hoạch triển khai và tổ chức hội nghị quán triệt đến các đơn vị trực thuộc.",
    "Hoàn thành khảo sát hiện trạng tại {n} doanh nghiệp; đang tổng hợp số liệu.",
    "Tổ chức {n} lớp tập huấn cho cán bộ, công chức về tăng trưởng xanh.",
    "Đã trình UBND tỉnh dự thảo đề án; đang lấy ý kiến các sở, ngành.",
    "Triển khai thí điểm tại {n} địa phương, bước đầu có kết quả tích cực.",
]
DIFFICULTIES = [
    "Kinh phí bố trí chưa kịp thời.",
    "Thiếu nhân lực có chuyên môn sâu về phát thải khí nhà kính.",
    "Hướng dẫn của Bộ, ngành Trung ương chưa đầy đủ.",
    "",
]
PROPOSALS = [
    "Đề nghị UBND tỉnh bổ sung kinh phí năm sau.",
    "Đề nghị Bộ, ngành sớm ban hành hướng dẫn kỹ thuật.",
    "",
]


def _content(rng: random.Random, year: int, plan_end: int, progress_bias: float) -> dict:
    status = rng.choices(
        ["on_schedule", "behind", "completed", "not_started", "suspended"],
        weights=[50 * progress_bias, 20, 10 * progress_bias, 8, 2],
    )[0]
    percent = {"completed": 100, "not_started": 0}.get(status, rng.randint(10, 95))
    return {
        "status": status, "percent_complete": percent,
        "results": rng.choice(RESULTS).format(n=rng.randint(2, 30)),
        "outputs": rng.choice(["Kế hoạch triển khai", "Báo cáo khảo sát", "Đề án trình UBND tỉnh", ""]),
        "difficulties": rng.choice(DIFFICULTIES), "proposals": rng.choice(PROPOSALS),
        "funds_local": rng.choice([None, rng.randint(1, 900) * 1_000_000]),
        "funds_central": rng.choice([None, None, rng.randint(1, 500) * 1_000_000]),
    }


# A second, small plan of Hồ Chí Minh City, so the city's dashboards and report show several plans
# side by side. ILLUSTRATIVE: the number and period are those the city announced (3797/QĐ-UBND,
# 2024–2030); the themes and activities below are made up for the demo, not the city's text.
CITY_PLAN = {
    "code": "hcm-3797-minh-hoa", "number": "3797/QĐ-UBND", "period": (2024, 2030),
    "title": "Kế hoạch thực hiện tăng trưởng xanh trên địa bàn Thành phố Hồ Chí Minh giai đoạn 2024 - 2030 "
             "(bản minh họa cho dữ liệu demo)",
    "source": "Dữ liệu minh họa, không phải văn bản gốc",
    "themes": [
        ("1", "Giảm cường độ phát thải khí nhà kính", [
            ("1.1", "Chuyển đổi năng lượng trong công nghiệp", [
                ("1.1.1", "Kiểm toán năng lượng tại các cơ sở sử dụng năng lượng trọng điểm", "Sở Công Thương", True),
                ("1.1.2", "Phát triển điện mặt trời mái nhà tại khu công nghiệp", "Sở Công Thương", False),
            ]),
            ("1.2", "Đô thị và công trình xanh", [
                ("1.2.1", "Hướng dẫn công trình xanh cho nhà ở và công trình công cộng", "Sở Xây dựng", False),
            ]),
        ]),
        ("2", "Xanh hóa sản xuất và bảo vệ môi trường", [
            ("2.1", "Kinh tế tuần hoàn và quản lý chất thải", [
                ("2.1.1", "Phân loại chất thải rắn sinh hoạt tại nguồn", "Sở Nông nghiệp và Môi trường", True),
                ("2.1.2", "Kiểm kê khí nhà kính cấp thành phố", "Sở Nông nghiệp và Môi trường", False),
            ]),
        ]),
    ],
}


@transaction.atomic
def seed_city_plan(city: Jurisdiction) -> Plan:
    """The illustrative plan of the city, led by the city's departments (the successors of Bình
    Dương's, where the demo accounts now work); idempotent."""
    spec = CITY_PLAN
    finance = find_agency(city, "Sở Tài chính")
    plan, created = Plan.objects.get_or_create(code=spec["code"], defaults={
        "number": spec["number"], "title": spec["title"], "jurisdiction": city, "period_start": spec["period"][0],
        "period_end": spec["period"][1], "issuing_body": "Ủy ban nhân dân Thành phố Hồ Chí Minh",
        "focal_agency": finance, "source": spec["source"],
    })
    if not created:
        return plan
    for t_code, t_title, groups in spec["themes"]:
        theme = PlanItem.objects.create(plan=plan, level="theme", code=t_code, title=t_title)
        for g_code, g_title, activities in groups:
            group = PlanItem.objects.create(plan=plan, level="group", code=g_code, parent=theme, title=g_title)
            for a_code, a_title, lead_name, high in activities:
                lead = find_agency(city, lead_name) or Agency.objects.create(jurisdiction=city, name=lead_name)
                PlanItem.objects.create(plan=plan, level="activity", code=a_code, parent=group, title=a_title,
                                        lead_agency=lead, high_priority=high, start_year=spec["period"][0],
                                        end_year=spec["period"][1])
    return plan


@transaction.atomic
def seed_reporting_demo(plan: Plan, *, today: dt.date | None = None, reviewer=None) -> dict:
    today = today or timezone.localdate()
    rng = random.Random(396)
    if plan.cycles.exists():
        return {"skipped": True}
    years = [y for y in plan.years if y <= today.year]
    # The open year's annual cycle collects every plan the city carries (the legacy plan 396 and
    # the city's own), so its dashboard and report consolidate them.
    carrier = plan.carried_by(dt.date(today.year, 12, 31))
    if today.year in years and len(carried_plans(carrier, today.year)) > 1:
        create_jurisdiction_cycle(carrier, today.year)
    cycles = create_cycles(plan, years=years)
    stats = {}
    for cycle in sorted(cycles, key=lambda c: (c.year, c.kind)):
        if cycle.year < today.year:
            stats[str(cycle)] = _seed_past(cycle, rng, reviewer)
        else:
            stats[str(cycle)] = _seed_current(cycle, rng, reviewer, today)
    stats["Số liệu chỉ tiêu"] = seed_indicator_demo(plan, cycles=cycles, reviewer=reviewer, today=today)
    return stats


def _seed_past(cycle: ReportingCycle, rng: random.Random, reviewer) -> int:
    reports = list(Report.objects.filter(cycle=cycle, agency__isnull=False).select_related("agency"))
    due = cycle.due_at
    # One agency was granted an extension in each past annual cycle.
    extended = rng.choice(reports).agency_id if reports and cycle.kind == "annual" else None
    if extended:
        Extension.objects.create(cycle=cycle, agency_id=extended, reason="Chờ số liệu thống kê cuối năm.",
                                 state=Extension.State.GRANTED, new_due_at=end_of_day(due.date() + dt.timedelta(days=10)),
                                 decided_by=reviewer, decided_at=due - dt.timedelta(days=5))
    events = []
    for report in reports:
        for key, value in _content(rng, cycle.year, cycle.plan.period_end, 1.0).items():
            setattr(report, key, value)
        late = rng.random() < 0.08
        submitted = due - dt.timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 10))
        if late:
            submitted = due + dt.timedelta(days=rng.randint(1, 6))
        if report.agency_id == extended and late:
            late = submitted > end_of_day(due.date() + dt.timedelta(days=10))
        report.state = Report.State.ACCEPTED if rng.random() < 0.93 else Report.State.SUBMITTED
        report.submitted_at, report.late, report.version = submitted, late, 1
        if report.state == Report.State.ACCEPTED:
            report.reviewed_at, report.reviewed_by = submitted + dt.timedelta(days=3), reviewer
        events += [
            ReportEvent(report=report, kind="submit", from_state="draft", to_state="submitted", at=submitted,
                        comment="Nộp muộn" if late else ""),
        ]
        if report.state == Report.State.ACCEPTED:
            events.append(ReportEvent(report=report, kind="accept", actor=reviewer, from_state="submitted",
                                      to_state="accepted", at=submitted + dt.timedelta(days=3)))
    Report.objects.bulk_update(reports, ["status", "percent_complete", "results", "outputs", "difficulties", "proposals",
                                         "funds_local", "funds_central", "state", "submitted_at", "late", "version",
                                         "reviewed_at", "reviewed_by"], batch_size=500)
    ReportEvent.objects.bulk_create(events, batch_size=1000)
    return len(reports)


def _seed_current(cycle: ReportingCycle, rng: random.Random, reviewer, today: dt.date) -> int:
    """The open cycle, moved through the real workflow functions."""
    User = get_user_model()
    reports = list(Report.objects.filter(cycle=cycle, agency__isnull=False).select_related("agency", "cycle", "cycle__plan"))
    heads = {m.agency_id: m.user for m in Membership.objects.filter(role="head", is_active=True).select_related("user")}
    officers = {m.agency_id: m.user for m in Membership.objects.filter(role="officer", is_active=True).select_related("user")}
    stand_ins: dict[int, object] = {}

    def head_of(agency):
        # Agencies without a demo account get a quiet stand-in head, so the workflow can run.
        if agency.pk in heads:
            return heads[agency.pk]
        if agency.pk not in stand_ins:
            user, _ = User.objects.get_or_create(username=f"demo-head-{agency.pk}",
                                                 defaults={"is_active": False, "first_name": agency.name[:30]})
            Membership.objects.get_or_create(user=user, agency=agency, defaults={"role": "head"})
            stand_ins[agency.pk] = user
        return stand_ins[agency.pk]

    count = 0
    for report in reports:
        roll = rng.random()
        if roll < 0.40:
            continue  # still missing
        head = head_of(report.agency)
        editor = officers.get(report.agency_id, head)
        report = workflow.report_save(report, user=editor, data=_content(rng, cycle.year, cycle.plan.period_end, 0.8),
                                      base_version=report.version)
        count += 1
        if roll < 0.60:
            continue  # draft
        when = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=rng.randint(1, 10)), dt.time(9)), VN)
        report = workflow.report_submit(report, user=head, now=when)
        if roll < 0.75 or reviewer is None:
            continue  # submitted, waiting for review
        if roll < 0.85:
            workflow.report_return(report, user=reviewer,
                                   comment="Đề nghị bổ sung số liệu kinh phí và sản phẩm cụ thể đã hoàn thành.")
        else:
            workflow.report_accept(report, user=reviewer)
    # Contributions: the lead asks supporting agencies on some reports; about half answered.
    due_on = timezone.localtime(cycle.due_at).date() - dt.timedelta(days=10)
    for report in rng.sample(reports, k=min(12, len(reports))):
        supporters = [a for a in report.item.supporting_agencies.all() if not a.is_group and a.pk != report.agency_id]
        if not supporters:
            continue
        agency = rng.choice(supporters)
        if ContributionRequest.objects.filter(report=report, agency=agency).exists():
            continue
        try:
            req = workflow.contribution_request(report=report, agency_id=agency.pk, user=head_of(report.agency),
                                                due_on=max(due_on, today),
                                                message="Đề nghị cung cấp kết quả phối hợp thực hiện trong năm.")
        except workflow.WorkflowError:
            continue  # served after the deadline, or the report is locked: no new request to make

        if rng.random() < 0.5:
            workflow.contribution_answer(req, user=head_of(agency), answer="Đã phối hợp tổ chức 2 hội thảo, 150 lượt người tham dự.")
    _ask_the_builders(cycle, reports, head_of, today)
    # One pending extension request, for the reviewer to decide.
    pending = next((r for r in reports if r.state in ("missing", "draft")), None)
    if pending:
        proposed = max(timezone.localtime(cycle.due_at).date(), today, timezone.localdate()) + dt.timedelta(days=15)
        workflow.extension_request(cycle=cycle, agency_id=pending.agency_id, user=head_of(pending.agency),
                                   reason="Đang chờ số liệu quyết toán từ các huyện.", proposed_due_on=proposed)
    return count


def _ask_the_builders(cycle: ReportingCycle, reports: list[Report], head_of, today: dt.date) -> None:
    """At least one unanswered input request to the agency of `canbo.xaydung` (Sở Xây dựng), on a
    report whose plan item names it or a group standing for it ("Các sở, ban, ngành…"), preferably
    one of `canbo.nnmt`'s agency: the README's account answers it from its contributions page."""
    builder = Membership.objects.filter(user__username="canbo.xaydung", is_active=True).first()
    if builder is None:
        return
    target = builder.agency_id
    lead_first = set(Membership.objects.filter(user__username="canbo.nnmt", is_active=True).values_list("agency_id", flat=True))
    candidates = sorted(reports, key=lambda r: (r.agency_id not in lead_first, r.pk))
    for report in candidates:
        if report.state not in ("missing", "draft", "returned"):
            continue
        if target not in {a.pk for a, _group in workflow.askable_agencies(report)}:
            continue
        if ContributionRequest.objects.filter(report=report, agency_id=target).exists():
            return
        deadline = timezone.localtime(workflow.agency_deadline(cycle, report.agency_id)).date()
        due_on = min(deadline, today + dt.timedelta(days=7))
        message = "Đề nghị Sở cung cấp số liệu công trình xây dựng xanh đã hoàn thành trong năm."
        if due_on >= today and cycle.is_open(today):
            workflow.contribution_request(report=report, agency_id=target, user=head_of(report.agency),
                                          due_on=due_on, message=message)
        else:
            # The demo served after the agency's deadline: the request is loaded as history (the
            # workflow rightly refuses a due date in the past), still open for the answer.
            ContributionRequest.objects.create(report=report, agency_id=target, due_on=deadline, message=message,
                                               requested_by=head_of(report.agency))
        return


# --- indicators ---------------------------------------------------------------------------------------

# (catalogue code or own name, own code, lead agency, baseline (value, year), targets, figures 2023..2026,
#  territories). Figures as the officer types them; None: no figure that year. The third indicator is
#  off track (emissions rising against a falling target), EV stations are split by territory.
DEMO_INDICATORS = [
    ("1.1", "", "Sở Nông nghiệp và Môi trường", (1.0, 2020),
     [{"year": 2025, "kind": "cut", "value": 8, "base_year": 2020}, {"year": 2030, "kind": "cut", "value": 15, "base_year": 2020}],
     ["0,97", "0,95", "0,93", "0,91"], ()),
    ("1.2", "", "Sở Nông nghiệp và Môi trường", (12.5, 2020),
     [{"year": 2025, "kind": "value", "value": 12}, {"year": 2030, "kind": "value", "value": 11}],
     ["13,2", "13,8", "14,5", "15,1"], ()),
    ("2.1", "", "Sở Công Thương", (100, 2020),
     [{"year": 2025, "kind": "rate", "min": -1.5, "max": -1}, {"year": 2030, "kind": "rate", "min": -1.5, "max": -1}],
     ["97,5", "96,8", "95,6", "94,9"], ()),
    ("2.2", "", "Sở Công Thương", (100, 2020),
     [{"year": 2025, "kind": "value", "value": 95}, {"year": 2030, "kind": "value", "value": 88}],
     ["98", "96,5", "95,2", "94"], ()),
    ("2.3", "", "Sở Công Thương", (8, 2020),
     [{"year": 2025, "kind": "value", "value": 12}, {"year": 2030, "kind": "range", "min": 15, "max": 20}],
     ["10,1", "11,2", "12,4", "13,5"], ()),
    ("Số trạm sạc xe điện", "EV", "Sở Công Thương", (10, 2022),
     [{"year": 2025, "kind": "value", "value": 150}, {"year": 2030, "kind": "value", "value": 600}],
     [("20", "12", "6"), ("45", "30", "15"), ("80", "52", "30"), ("120", "75", "41")],
     ("Bình Dương (cũ)", "Bà Rịa - Vũng Tàu (cũ)", "TP. Hồ Chí Minh (cũ)")),
    ("Tỷ lệ xe buýt sử dụng năng lượng xanh", "XB", "Sở Xây dựng", (0, 2022),
     [{"year": 2025, "kind": "value", "value": 10}, {"year": 2030, "kind": "value", "value": 30}],
     ["2", "5", "9,5", None], ()),
    ("Tỷ lệ che phủ rừng", "KH-1", "Sở Nông nghiệp và Môi trường", (4.2, 2020),
     [{"year": 2025, "kind": "maintain"}, {"year": 2030, "kind": "maintain"}],
     ["4,2", "4,2", "4,1", "4,2"], ()),
    ("Tỷ lệ chất thải rắn sinh hoạt đô thị được thu gom, xử lý", "KH-2", "Sở Xây dựng", (88, 2020),
     [{"year": 2025, "kind": "value", "value": 95}, {"year": 2030, "kind": "range", "min": 95, "max": 100}],
     ["91", "93", "95", None], ()),
]
# The plan's own indicators (not in the national catalogue)
OWN = {"KH-1": ("share", "%", "band"), "KH-2": ("share", "%", "higher")}


def seed_indicator_demo(plan: Plan, *, cycles: list, reviewer, today: dt.date) -> int:
    """Plan 396's indicators: the national ones and the plan's own, with baselines, 2025 and 2030
    targets and figures for 2023–2026. Figures up to 2024 are history (accepted, loaded as a previous
    system would); 2025 and 2026 are entered in the open cycle through the workflow, ending in every
    state: draft, submitted, returned, accepted. One 2024 figure is revised."""
    from django.core.management import call_command

    from agencies.restructuring import find_agency
    from reporting.indicators import values as moves
    from reporting.indicators.adoption import adopt_indicator
    from reporting.models import Indicator, IndicatorValue, IndicatorValueEvent

    current = next((c for c in cycles if c.kind == "annual" and c.year == today.year), None)
    if current is None or reviewer is None:
        return 0
    if not Indicator.objects.filter(plan__isnull=True).exists():
        call_command("loaddata", "indicator_catalogue", verbosity=0)
    by_year = {c.year: c for c in cycles if c.kind == "annual"}
    heads = {m.agency_id: m.user for m in Membership.objects.filter(role="head", is_active=True).select_related("user")}
    count = 0
    entered = []
    for n, (ref, code, agency_name, baseline, targets, figures, territories) in enumerate(DEMO_INDICATORS, 1):
        agency = find_agency(plan.jurisdiction, agency_name)
        if agency is None:
            continue
        if code in OWN:
            measure, unit, direction = OWN[code]
            indicator = Indicator.objects.create(plan=plan, code=code, name=ref, unit=unit, measure=measure,
                                                 direction=direction)
        else:
            indicator = (Indicator.objects.filter(plan__isnull=True, code=ref).first()
                         or Indicator.objects.get(plan__isnull=True, name=ref))
        pi = adopt_indicator(plan, indicator, code=code, baseline=baseline, lead_agency=agency, targets=targets,
                             territories=territories, sort_order=n)
        # Figures of the open year are entered by the agency answering now: the plan's department or,
        # after the July 2025 restructuring, its successor in the city (whose head the demo moved).
        answering = Agency.objects.get(pk=pi.responsible_agency_id(current.year))
        head = heads.get(answering.pk)
        if head is None:  # an agency without a demo head: a quiet stand-in, as for reports
            User = get_user_model()
            head, _ = User.objects.get_or_create(username=f"demo-head-{answering.pk}",
                                                 defaults={"is_active": False, "first_name": answering.name[:30]})
            Membership.objects.get_or_create(user=head, agency=answering, defaults={"role": "head"})
        for year, figure in zip(range(2023, 2027), figures):
            if figure is None or year > today.year:
                continue
            for territory, typed in (zip(territories, figure) if territories else [("", figure)]):
                if year <= 2024 and year in by_year:  # history
                    v = IndicatorValue.objects.create(
                        plan_indicator=pi, cycle=by_year[year], agency=agency, year=year, territory=territory,
                        value=typed.replace(",", "."), source="official", state="accepted",
                        submitted_at=timezone.make_aware(dt.datetime(year + 1, 3, 1, 9), VN), submitted_by=head,
                        reviewed_at=timezone.make_aware(dt.datetime(year + 1, 3, 15, 9), VN), reviewed_by=reviewer)
                    IndicatorValueEvent.objects.create(value=v, kind="accept", actor=reviewer, from_state="submitted",
                                                       to_state="accepted")
                else:
                    v = moves.value_create(plan_indicator=pi, cycle=current, year=year, user=head, value=typed,
                                           territory=territory, source="estimate" if year == today.year else "official",
                                           confirmed=True, note="Số liệu sơ bộ" if year == today.year else "Theo niên giám thống kê")
                    entered.append(v)
                count += 1
    # The figures entered this year end in every state: the last few stay draft, submitted, returned.
    ends = ["accepted"] * max(len(entered) - 4, 0) + ["draft", "submitted", "returned", "submitted"]
    for v, end in zip(entered, ends):
        if end == "draft":
            continue
        head = IndicatorValue.objects.get(pk=v.pk).updated_by
        v = moves.value_submit(v, user=head)
        if end == "accepted":
            moves.value_accept(v, user=reviewer)
        elif end == "returned":
            moves.value_return(v, user=reviewer, comment="Đề nghị ghi rõ nguồn số liệu và gửi kèm minh chứng.")
    # Official statistics revised a 2024 figure of renewables: revised, resubmitted and accepted.
    revised = IndicatorValue.objects.filter(plan_indicator__plan=plan, plan_indicator__code="2.3", year=2024).first()
    if revised is not None:
        head = heads.get(revised.agency_id) or revised.submitted_by
        revised = moves.value_revise(revised, user=head, cycle=current, value_raw="11,4",
                                     note="Niên giám thống kê 2025 công bố lại số liệu năm 2024.")
        moves.value_accept(moves.value_submit(revised, user=head), user=reviewer)
    return count
