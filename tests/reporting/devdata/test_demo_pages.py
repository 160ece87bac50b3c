"""The demo's pages, rendered as each demo account, show no stored code with "#" (the printed code
with its mark instead), no reason code such as "[no_lead]" and no stand-in title."""
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from reporting.management.commands.setup_demo import DEMO_ACCOUNTS
from reporting.models import Report, ReportingCycle
from tasks.models import Plan, PlanItem

STORED_CODE = re.compile(r"\b\d+(?:\.\d+)+(?: [a-zđ])?#\d+")
REASON_CODE = re.compile(r"\[[a-z]+(?:_[a-z]+)+\]")
# The importer's old stand-in title for an item the scan lost (it now stores none: PlanItem.shown_title).
PLACEHOLDER = re.compile(r"Không có nội dung trong bản quét|cần bổ sung\)")


def _pages():
    """The non-admin pages of the demo: the homes and lists, the plan and its duplicated items, the
    dashboards of the current cycle and reports on duplicated codes."""
    plan = Plan.objects.order_by("pk").first()
    cycle = ReportingCycle.objects.filter(plan=plan, kind="annual").order_by("-year").first()
    duplicated = list(PlanItem.objects.filter(plan=plan, code__contains="#")[:5])
    flagged = list(PlanItem.objects.filter(plan=plan, needs_review=True)[:3])
    flagged += list(PlanItem.objects.filter(plan=plan, title="")[:2])
    urls = [reverse("home"), reverse("reporting:home"), reverse("reporting:queue"), reverse("reporting:contributions"),
            reverse("reporting_notices:list"), reverse("tasks:plan_list"), reverse("tasks:plan_detail", args=[plan.code]),
            reverse("agencies:list"), reverse("dashboard:overview"), reverse("dashboard:cycle", args=[cycle.pk]),
            reverse("dashboard:status", args=[cycle.pk]), reverse("dashboard:province_report", args=[cycle.pk])]
    urls += [reverse("tasks:item_detail", args=[plan.code, item.pk]) for item in duplicated + flagged]
    urls += [reverse("reporting:report", args=[r.pk])
             for r in Report.objects.filter(cycle=cycle, item__in=duplicated)[:5]]
    return urls, duplicated


@pytest.mark.django_db
def test_no_demo_page_shows_a_stored_code_or_a_reason_code_to_any_role():
    call_command("setup_demo", stdout=open("/dev/null", "w"))
    urls, duplicated = _pages()
    assert duplicated, "the demo plan has no item printed with a duplicated code: nothing is proved"
    assert PlanItem.objects.filter(title="").exists(), "the demo plan has no item the scan lost: nothing is proved"
    problems = []
    for username, *_ in DEMO_ACCOUNTS:
        user = get_user_model().objects.get(username=username)
        if user.is_superuser:
            continue
        client = Client()
        client.force_login(user)
        for url in urls:
            response = client.get(url, follow=True)
            if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                continue
            html = response.content.decode()
            for pattern in (STORED_CODE, REASON_CODE, PLACEHOLDER):
                for found in pattern.finditer(html):
                    problems.append(f"{username} {url}: …{html[max(found.start() - 80, 0):found.end()]}")
    assert not problems, "\n".join(sorted(problems)[:40])
