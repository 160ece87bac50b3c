"""The demo that `make run` serves: every account the README names logs in and finds its work, and
running the set-up again changes nothing. The synthetic national data set for `make bench` is built
to the size asked, every report owed by an agency of the plan's own province."""
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import F
from django.urls import reverse

from agencies.access import scope_for
from reporting.devdata.synthetic import Size, build
from reporting.management.commands.setup_demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from reporting.models import ContributionRequest, Extension, Report, ReportEvent
from reporting.reports.access import reports_visible_to


def _counts():
    return {model.__name__: model.objects.count()
            for model in (get_user_model(), Report, ReportEvent, ContributionRequest, Extension)}


@pytest.fixture
def demo(db):
    call_command("setup_demo", stdout=open("/dev/null", "w"))


def test_every_demo_account_logs_in_with_the_printed_password(demo, client):
    for username, *_ in DEMO_ACCOUNTS:
        response = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        assert client.session["_auth_user_id"] == str(get_user_model().objects.get(username=username).pk)
        client.logout()


def test_each_demo_role_finds_its_work(demo):
    User = get_user_model()
    officer = User.objects.get(username="canbo.nnmt")
    agency_ids = scope_for(officer).agency_ids
    assert Report.objects.filter(agency_id__in=agency_ids, cycle__year=2026).exists()
    reviewer = User.objects.get(username="thamdinh")
    waiting = reports_visible_to(Report.objects.all(), reviewer).filter(state=Report.State.SUBMITTED)
    assert waiting.exists(), "the reviewer's queue is empty"
    assert Extension.objects.filter(state="requested").exists(), "no extension for the reviewer to decide"


def test_running_the_set_up_again_changes_nothing(demo):
    before = _counts()
    call_command("setup_demo", stdout=open("/dev/null", "w"))
    assert _counts() == before


def test_the_synthetic_data_set_is_built_to_the_size_asked(db):
    size = Size(jurisdictions=2, agencies_per_jurisdiction=12, themes=2, groups_per_theme=2, activities_per_group=2,
                agencies_with_users=4, years=(2025, 2026))
    counts = build(size)
    assert counts["jurisdictions"] == 2
    assert counts["reports"] == Report.objects.count() > 0
    assert not Report.objects.filter(agency__isnull=False).exclude(agency__jurisdiction=F("cycle__plan__jurisdiction")).exists()


def test_the_builders_officer_has_an_unanswered_input_request_on_the_contributions_page(demo, client):
    User = get_user_model()
    builder = User.objects.get(username="canbo.xaydung")
    agency_ids = scope_for(builder).agency_ids
    waiting = ContributionRequest.objects.filter(agency_id__in=agency_ids, answered_at__isnull=True)
    assert waiting.exists()
    client.force_login(builder)
    page = client.get(reverse("reporting:contributions")).content.decode()
    assert waiting.first().message in page


def test_the_plans_groups_stand_for_agencies_an_admin_can_review(demo):
    from agencies.models import GroupMember

    assert GroupMember.objects.filter(group__name__startswith="Các sở, ban, ngành").exists()
    assert not ContributionRequest.objects.filter(agency__name__startswith="Công ty").exists()
