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
