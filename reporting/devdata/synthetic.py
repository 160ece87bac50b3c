"""A deterministic synthetic data set at national scale, for benchmarks (`make bench`).

34 jurisdictions, each with its agencies and a plan of about 250 items, cycles 2023–2030,
reports in every state, contributions, attachment records and edit history. Written with bulk
inserts; the same seed gives the same data.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, Jurisdiction, JurisdictionRole, Membership
from tasks.models import Plan, PlanItem

from reporting.reports.cycles import cycle_dates, midterm_year
from reporting.models import Attachment, ContributionRequest, Report, ReportEvent, ReportingCycle

PROVINCES = [
    "An Giang", "Bắc Ninh", "Cà Mau", "Cao Bằng", "Đắk Lắk", "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai",
    "Hà Tĩnh", "Hưng Yên", "Khánh Hòa", "Lai Châu", "Lâm Đồng", "Lạng Sơn", "Lào Cai", "Nghệ An", "Ninh Bình",
    "Phú Thọ", "Quảng Ngãi", "Quảng Ninh", "Quảng Trị", "Sơn La", "Tây Ninh", "Thái Nguyên", "Thanh Hóa",
    "Tuyên Quang", "Vĩnh Long", "Hà Nội", "Hải Phòng", "Huế", "Đà Nẵng", "Cần Thơ", "Hồ Chí Minh",
]
DEPARTMENTS = [
    "Sở Tài chính", "Sở Nông nghiệp và Môi trường", "Sở Xây dựng", "Sở Khoa học và Công nghệ", "Sở Nội vụ",
    "Sở Giáo dục và Đào tạo", "Sở Công Thương", "Sở Y tế", "Sở Văn hóa, Thể thao và Du lịch", "Sở Tư pháp",
    "Sở Ngoại vụ", "Sở Dân tộc và Tôn giáo", "Thanh tra tỉnh", "Văn phòng UBND tỉnh", "Công an tỉnh",
    "Bộ Chỉ huy Quân sự tỉnh", "Ngân hàng Nhà nước chi nhánh", "Ban Quản lý các khu công nghiệp",
]
STATUSES = ["on_schedule", "on_schedule", "on_schedule", "behind", "completed", "not_started", "suspended"]
PASSWORD = "bench-password-2026"


@dataclass
class Size:
    jurisdictions: int = 34
    agencies_per_jurisdiction: int = 150  # departments, districts and communes: ~5,000 nationally
    themes: int = 18
    groups_per_theme: int = 3
    activities_per_group: int = 4  # 18 + 54 + 216 ≈ 290 items, ≈ 250 that owe reports
    years: tuple = tuple(range(2023, 2031))
    current_year: int = 2026
    users_per_agency: int = 2  # officer and head, with an e-mail (reminders go to them)
    agencies_with_users: int = 150  # every agency: the reminder job writes to all of them
    department_lead_share: float = 0.6  # departments lead most activities, communes some
    indicators_per_plan: int = 40  # national indicators each plan adopts, a figure a year per territory
    territories: int = 3  # the old provinces of a merged one


def build(size: Size | None = None, *, seed: int = 2026, stdout=None) -> dict:
    size = size or Size()
    rng = random.Random(seed)
    say = (lambda msg: stdout.write(msg)) if stdout else (lambda msg: None)
    counts = {}
    with transaction.atomic():
        password = make_password(PASSWORD)
        User = get_user_model()
        for j_index, name in enumerate(PROVINCES[: size.jurisdictions]):
            jurisdiction = Jurisdiction.objects.create(name=f"{name} (thử)", kind="province")
            agencies = Agency.objects.bulk_create([
                Agency(jurisdiction=jurisdiction, name=_agency_name(i), kind="department" if i < len(DEPARTMENTS) else "peoples_committee",
                       search_text="") for i in range(size.agencies_per_jurisdiction)
            ])
            plan = Plan.objects.create(code=f"bench-{j_index + 1:02d}", number=f"{100 + j_index}/KH-UBND",
                                       title=f"Kế hoạch hành động tăng trưởng xanh tỉnh {name} giai đoạn 2023 - 2030",
                                       jurisdiction=jurisdiction, period_start=2023, period_end=2030, focal_agency=agencies[0])
            items = _items(plan, agencies, size, rng)
            users = _users(User, password, jurisdiction, agencies[: size.agencies_with_users], j_index, size)
            reviewer = User.objects.create(username=f"reviewer-{j_index + 1:02d}", password=password,
                                           email=f"reviewer-{j_index + 1:02d}@bench.local")
            leader = User.objects.create(username=f"leader-{j_index + 1:02d}", password=password,
                                         email=f"leader-{j_index + 1:02d}@bench.local")
            JurisdictionRole.objects.bulk_create([
                JurisdictionRole(user=reviewer, jurisdiction=jurisdiction, role="reviewer"),
                JurisdictionRole(user=leader, jurisdiction=jurisdiction, role="leader"),
            ])
            n = _cycles_and_reports(plan, items, agencies, reviewer, size, rng)
            n["indicator_values"] = _indicators(plan, agencies, reviewer, size, rng)
            for key, value in n.items():
                counts[key] = counts.get(key, 0) + value
            say(f"{jurisdiction.name}: {len(items)} mục, {n['reports']} báo cáo")
    counts["jurisdictions"] = size.jurisdictions
    return counts


def _agency_name(i: int) -> str:
    if i < len(DEPARTMENTS):
        return DEPARTMENTS[i]
    return f"UBND xã số {i - len(DEPARTMENTS) + 1}"


def _items(plan, agencies, size: Size, rng: random.Random) -> list[PlanItem]:
    themes = [PlanItem(plan=plan, level="theme", code=str(t), title=f"Chủ đề {t}: tăng trưởng xanh lĩnh vực {t}")
              for t in range(1, size.themes + 1)]
    _bulk(themes)
    groups = []
    for theme in themes:
        for g in range(1, size.groups_per_theme + 1):
            groups.append(PlanItem(plan=plan, parent=theme, level="group", code=f"{theme.code}.{g}",
                                   title=f"Nhóm nhiệm vụ {theme.code}.{g} về chuyển đổi xanh", start_year=2023, end_year=2030))
    _bulk(groups)
    activities = []
    departments = agencies[: max(len(DEPARTMENTS), 1)]
    for group in groups:
        for a in range(1, size.activities_per_group + 1):
            start = rng.choice([2023, 2023, 2024, 2025])
            activities.append(PlanItem(
                plan=plan, parent=group, level="activity", code=f"{group.code}.{a}",
                title=f"Hoạt động {group.code}.{a}: triển khai giải pháp giảm phát thải và sử dụng năng lượng tiết kiệm",
                text="Nội dung chi tiết của hoạt động, gồm khảo sát, xây dựng đề án, tổ chức thực hiện và báo cáo.",
                high_priority=rng.random() < 0.3, start_year=start, end_year=rng.choice([2025, 2030, 2030]),
                lead_agency=rng.choice(departments if rng.random() < size.department_lead_share else agencies),
                expected_outputs="Đề án, báo cáo đánh giá",
            ))
    _bulk(activities)
    Through = PlanItem.supporting_agencies.through
    Through.objects.bulk_create([Through(planitem_id=a.pk, agency_id=rng.choice(agencies).pk) for a in activities])
    return groups + activities


def _bulk(items: list[PlanItem]) -> None:
    for it in items:
        it.prepare()
    PlanItem.objects.bulk_create(items, batch_size=1000)


def _users(User, password, jurisdiction, agencies, j_index, size: Size) -> dict[int, list]:
    users, memberships = [], []
    for a_index, agency in enumerate(agencies):
        for role in ("officer", "head")[: size.users_per_agency]:
            users.append(User(username=f"{role}-{j_index + 1:02d}-{a_index + 1:03d}", password=password,
                              email=f"{role}-{j_index + 1:02d}-{a_index + 1:03d}@bench.local"))
    User.objects.bulk_create(users, batch_size=1000)
    by_agency: dict[int, list] = {}
    i = 0
    for agency in agencies:
        for role in ("officer", "head")[: size.users_per_agency]:
            memberships.append(Membership(user=users[i], agency=agency, role=role))
            by_agency.setdefault(agency.pk, []).append(users[i])
            i += 1
    Membership.objects.bulk_create(memberships, batch_size=1000)
    return by_agency


def _cycles_and_reports(plan, items, agencies, reviewer, size: Size, rng: random.Random) -> dict:
    cycles = [ReportingCycle(plan=plan, kind="annual", year=y, **cycle_dates(plan, "annual", y)) for y in size.years]
    cycles.append(ReportingCycle(plan=plan, kind="midterm", year=midterm_year(plan), **cycle_dates(plan, "midterm", midterm_year(plan))))
    ReportingCycle.objects.bulk_create(cycles)
    reports = []
    for cycle in cycles:
        for item in items:
            if item.start_year and item.start_year > cycle.year or item.end_year and item.end_year < cycle.year:
                continue
            report = Report(cycle=cycle, item=item, agency_id=item.lead_agency_id if item.level == "activity" else None)
            if report.agency_id is None:
                report.agency_id = rng.choice(items[-10:]).lead_agency_id
            _fill(report, cycle, size, rng, reviewer)
            reports.append(report)
    Report.objects.bulk_create(reports, batch_size=2000)
    events, contributions, attachments, history = [], [], [], []
    HistoricalReport = Report.history.model
    now = timezone.now()
    for report in reports:
        if report.submitted_at:
            events.append(ReportEvent(report=report, kind="submit", from_state="draft", to_state="submitted", at=report.submitted_at))
        if report.state == "accepted":
            events.append(ReportEvent(report=report, kind="accept", actor=reviewer, from_state="submitted",
                                      to_state="accepted", at=report.reviewed_at))
        if report.state != "missing":
            history.append(HistoricalReport(
                id=report.pk, cycle_id=report.cycle_id, item_id=report.item_id, agency_id=report.agency_id,
                state=report.state, status=report.status, percent_complete=report.percent_complete,
                results=report.results, version=report.version, late=report.late, submitted_at=report.submitted_at,
                history_date=report.submitted_at or now, history_type="~", history_change_reason=None,
                review_comment="", outputs="", difficulties="", proposals=""))
            if rng.random() < 0.1:
                attachments.append(Attachment(report=report, file="evidence/bench/sample.pdf", original_name="minh-chung.pdf",
                                              content_type="application/pdf", size=24_000))
        if rng.random() < 0.05 and report.cycle.year == size.current_year:
            contributions.append(ContributionRequest(
                report=report, agency_id=rng.choice(agencies).pk, due_on=dt.date(size.current_year, 11, 20),
                message="Đề nghị cung cấp số liệu phối hợp.",
                answer="Đã cung cấp." if rng.random() < 0.5 else "", answered_at=now if rng.random() < 0.5 else None))
    ReportEvent.objects.bulk_create(events, batch_size=5000)
    HistoricalReport.objects.bulk_create(history, batch_size=5000)
    Attachment.objects.bulk_create(attachments, batch_size=5000)
    ContributionRequest.objects.bulk_create(contributions, batch_size=5000, ignore_conflicts=True)
    return {"reports": len(reports), "events": len(events), "attachments": len(attachments),
            "contributions": len(contributions), "history": len(history)}


def _catalogue(size: Size) -> list:
    """The national indicators every synthetic plan adopts (made once)."""
    from reporting.models import Indicator

    existing = list(Indicator.objects.filter(plan__isnull=True, code__startswith="B.").order_by("pk"))
    if len(existing) >= size.indicators_per_plan:
        return existing[: size.indicators_per_plan]
    made = Indicator.objects.bulk_create([
        Indicator(code=f"B.{i + 1}", name=f"Chỉ tiêu tăng trưởng xanh số {i + 1}", unit="%" if i % 3 == 0 else "",
                  measure="share" if i % 3 == 0 else "quantity", direction="lower" if i % 2 else "higher",
                  additive=i % 3 == 1)
        for i in range(len(existing), size.indicators_per_plan)])
    return existing + made


def _indicators(plan, agencies, reviewer, size: Size, rng: random.Random) -> int:
    """Each plan adopts the catalogue: baseline 2022, targets 2025 and 2030, and a figure for every
    year and territory, mostly accepted (written in bulk, as a previous system's data would be)."""
    from reporting.models import IndicatorValue, PlanIndicator, Target

    cycle = ReportingCycle.objects.get(plan=plan, kind="annual", year=size.current_year)
    territories = [f"Địa bàn {t + 1}" for t in range(size.territories)]
    pis = PlanIndicator.objects.bulk_create([
        PlanIndicator(plan=plan, indicator=ind, code=ind.code, baseline_value=50, baseline_year=2022,
                      lead_agency=agencies[i % min(len(agencies), len(DEPARTMENTS))], territories=territories,
                      sort_order=i)
        for i, ind in enumerate(_catalogue(size))])
    Target.objects.bulk_create([Target(plan_indicator=pi, year=y, kind="value", value=v)
                                for pi in pis for y, v in ((2025, 60), (2030, 75))])
    values = []
    for pi in pis:
        for year in size.years:
            for t in territories:
                state = "accepted" if rng.random() < 0.8 else rng.choice(["draft", "submitted", "returned"])
                values.append(IndicatorValue(
                    plan_indicator=pi, cycle=cycle, agency_id=pi.lead_agency_id, year=year, territory=t,
                    value=round(rng.uniform(15, 30), 2), source="official", state=state,
                    submitted_at=timezone.now() if state != "draft" else None,
                    reviewed_by=reviewer if state == "accepted" else None))
    IndicatorValue.objects.bulk_create(values, batch_size=5000)
    return len(values)


def _fill(report: Report, cycle, size: Size, rng: random.Random, reviewer) -> None:
    year = cycle.year
    if year > size.current_year:
        return  # future cycles: nothing yet
    roll = rng.random()
    if year == size.current_year:
        state = "missing" if roll < 0.35 else "draft" if roll < 0.55 else "submitted" if roll < 0.75 else \
            "returned" if roll < 0.85 else "accepted"
    else:
        state = "accepted" if roll < 0.9 else "submitted"
    report.state = state
    if state == "missing":
        return
    report.status = rng.choice(STATUSES)
    report.percent_complete = 100 if report.status == "completed" else rng.randint(0, 95)
    report.results = "Đã triển khai các nội dung theo kế hoạch; kết quả bước đầu đạt yêu cầu."
    report.funds_local = rng.randint(1, 500) * 1_000_000
    report.version = 1
    if state in ("submitted", "returned", "accepted"):
        late = rng.random() < 0.1
        report.submitted_at = cycle.due_at + dt.timedelta(days=rng.randint(1, 5)) if late else \
            cycle.due_at - dt.timedelta(days=rng.randint(1, 25))
        report.late = late
    if state in ("accepted", "returned"):
        report.reviewed_at, report.reviewed_by = report.submitted_at + dt.timedelta(days=2), reviewer
        report.review_comment = "Đề nghị bổ sung số liệu." if state == "returned" else ""
