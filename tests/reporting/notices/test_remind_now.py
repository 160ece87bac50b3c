"""A reviewer's "send a reminder now": a preview of who gets what, then one agency or every agency
still owing reports, through the same claim-once delivery; it shows in the sending log."""
import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from reporting.models import Notice, Notification, Report
from reporting.notices.reminders import reminders_now, send_reminders_now
from tests.reporting.notices.test_reminders_job import sent_to

pytestmark = pytest.mark.usefixtures("eager_jobs")
NOW = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(autouse=True)
def _during_the_2026_cycle(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 11, 20))


def test_the_preview_lists_each_agency_owing_reports_with_its_people_and_reports(world):
    Report.objects.filter(cycle=world.cycle, agency=world.agency_b).update(state="submitted", submitted_at=NOW)
    preview = reminders_now(world.cycle, now=NOW)
    assert [d.agency_name for d in preview] == ["Sở Tài nguyên và Môi trường"]
    d, = preview
    assert d.kind == "due" and sorted(d.emails) == ["alice@example.vn", "hana@example.vn"]
    assert [i["code"] for i in d.payload["items"]] == ["1.1.1", "1.1.2", "1.1.3"]


def test_sending_to_one_agency_reminds_only_it_once_even_on_a_double_click(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sent = send_reminders_now(world.cycle, agency_ids={world.agency_b.pk}, now=NOW)
        again = send_reminders_now(world.cycle, agency_ids={world.agency_b.pk}, now=NOW + dt.timedelta(seconds=20))
    assert len(sent) == 1 and again == []
    message, = mail.outbox
    assert message.to == ["bob@example.vn"] and "1.2.1" in message.body
    notice = Notice.objects.get(pk=sent[0])
    assert notice.state == "sent" and notice.rule == "now" and notice.recipients == ["bob@example.vn"]
    assert Notification.objects.filter(user=world.officer_b, notice=notice).exists()


def test_after_the_agencys_deadline_the_reminder_says_overdue(world):
    late = dt.datetime(2026, 12, 3, 3, 0, tzinfo=dt.timezone.utc)
    d = next(d for d in reminders_now(world.cycle, today=dt.date(2026, 12, 3), now=late) if d.agency_id == world.agency_a.pk)
    assert d.kind == "overdue" and d.payload["days_late"] == 3


def test_the_reviewer_reaches_it_from_the_queue_previews_and_sends_to_all(client, world,
                                                                          django_capture_on_commit_callbacks):
    client.force_login(world.reviewer)
    queue = client.get(reverse("reporting:queue") + f"?cycle={world.cycle.pk}").content.decode()
    url = reverse("reporting:remind_now", args=[world.cycle.pk])
    assert url in queue
    page = client.get(url).content.decode()
    assert "alice@example.vn" in page and "bob@example.vn" in page and "Sở Công Thương" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"agency": "all"}, follow=True)
    assert "Đã gửi nhắc tới 2 cơ quan" in response.content.decode()
    assert len(sent_to("alice")) == 1 and len(sent_to("bob")) == 1 and not sent_to("sam")
    log = client.get(url).content.decode().split('id="remind-log"')[1]
    assert log.count("Đã gửi") == 2


def test_an_agency_with_nothing_owed_is_not_reminded(client, world):
    Report.objects.filter(cycle=world.cycle, agency=world.agency_b).update(state="accepted", submitted_at=NOW)
    client.force_login(world.reviewer)
    response = client.post(reverse("reporting:remind_now", args=[world.cycle.pk]), {"agency": world.agency_b.pk},
                           follow=True)
    assert "không có gì để nhắc" in response.content.decode()
    assert not Notice.objects.exists()


def test_a_leader_gets_403_and_another_provinces_reviewer_404(client, world):
    url = reverse("reporting:remind_now", args=[world.cycle.pk])
    client.force_login(world.leader)
    assert client.get(url).status_code == 403
    client.force_login(world.foreign_reviewer)
    assert client.get(url).status_code == 404
    client.force_login(world.officer_a)
    assert client.post(url, {"agency": "all"}).status_code == 404
    assert not Notice.objects.exists()
