"""Two editors on one report: the second save never overwrites the first silently."""
import pytest
from django.urls import reverse

from reporting.models import Report, ReportEvent


pytestmark = pytest.mark.django_db


def form_data(**values):
    data = {"base_version": 0, "status": "", "percent_complete": "", "results": "", "outputs": "",
            "difficulties": "", "proposals": "", "funds_central": "", "funds_local": "", "funds_oda": "", "funds_other": ""}
    data.update(values)
    return data


def test_the_second_of_two_concurrent_saves_gets_409_with_both_versions_then_a_deliberate_save_wins(
        client, alice, hana, report):
    from django.test import Client

    first, second = Client(), client
    first.force_login(hana)
    second.force_login(alice)
    url = reverse("reporting:report", args=[report.pk])
    # Both open version 0.
    assert 'name="base_version" value="0"' in first.get(url).content.decode()
    assert 'name="base_version" value="0"' in second.get(url).content.decode()

    saved = first.post(reverse("reporting:save", args=[report.pk]),
                       form_data(results="Bản của Hana: đã trồng 5.000 cây", percent_complete=30, funds_local="2.000.000"))
    assert saved.status_code == 302

    response = second.post(reverse("reporting:save", args=[report.pk]),
                           form_data(results="Bản của Alice: đã trồng 4.800 cây", percent_complete=25,
                                     funds_local="1.500.000"))
    assert response.status_code == 409
    body = response.content.decode()
    assert 'id="conflict"' in body
    assert "Bản của Hana: đã trồng 5.000 cây" in body  # theirs, in the comparison
    assert body.count("Bản của Alice: đã trồng 4.800 cây") >= 2  # mine, in the comparison and in the form
    assert "2.000.000 đ" in body and "1.500.000 đ" in body
    assert "Hana" in body  # who saved in between (from the workflow's message)
    rows = {r["label"]: r for r in response.context["conflict"]["rows"]}
    assert rows["Kết quả đạt được"]["differs"] and not rows["Khó khăn, vướng mắc"]["differs"]
    form = response.context["form"]
    assert form["results"].value() == "Bản của Alice: đã trồng 4.800 cây"
    assert form["funds_local"].value() == 1500000
    assert 'name="funds_local" value="1.500.000"' in body  # shown Vietnamese-style again
    assert form["base_version"].value() == 1  # the current version: a second save is deliberate
    assert 'data-conflict="1"' in body

    report.refresh_from_db()
    assert report.version == 1 and report.results == "Bản của Hana: đã trồng 5.000 cây"  # nothing overwritten

    again = second.post(reverse("reporting:save", args=[report.pk]),
                        form_data(base_version=1, results="Bản của Alice: đã trồng 4.800 cây", percent_complete=25,
                                  funds_local="1.500.000"))
    assert again.status_code == 302
    report.refresh_from_db()
    assert report.version == 2 and report.results == "Bản của Alice: đã trồng 4.800 cây"
    assert report.funds_local == 1500000 and report.updated_by == alice
    assert list(report.events.values_list("kind", flat=True)) == [ReportEvent.Kind.SAVE, ReportEvent.Kind.SAVE]


def test_a_stale_base_version_from_a_restored_browser_copy_also_gets_the_conflict_page(client, alice, report):
    report.results, report.version, report.state = "Đã có người lưu", 3, Report.State.DRAFT
    report.save()
    client.force_login(alice)
    response = client.post(reverse("reporting:save", args=[report.pk]), form_data(base_version=1, results="Bản cũ"))
    assert response.status_code == 409
    report.refresh_from_db()
    assert report.results == "Đã có người lưu"


def _admin_change_form(response) -> dict:
    """What the admin change form posts back unchanged: its own fields and the inline's rows."""
    form = response.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data.update({management.add_prefix(name): management[name].value() for name in management.fields})
        for row in formset.forms:
            data.update({row.add_prefix(name): row[name].value() for name in row.fields})
    return {k: "" if v is None else v for k, v in data.items()}


def test_an_admin_edit_is_a_new_version_so_an_officer_with_the_form_open_gets_the_conflict_page(
        client, alice, report):
    from django.test import Client

    from tests.factories import UserFactory

    admin = UserFactory(username="quantri", first_name="Minh", is_staff=True, is_superuser=True)
    officer, staff = client, Client()
    officer.force_login(alice)
    staff.force_login(admin)
    assert 'name="base_version" value="0"' in officer.get(reverse("reporting:report", args=[report.pk])).content.decode()

    change = reverse("admin:reporting_report_change", args=[report.pk])
    data = _admin_change_form(staff.get(change))
    data.update(results="Số liệu đã hiệu chỉnh: trồng 6.000 cây", percent_complete=60)
    response = staff.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    report.refresh_from_db()
    assert report.version == 1 and report.updated_by == admin

    response = officer.post(reverse("reporting:save", args=[report.pk]),
                            form_data(base_version=0, results="Bản của Alice mở từ trước"))
    assert response.status_code == 409
    body = response.content.decode()
    assert 'id="conflict"' in body and "Số liệu đã hiệu chỉnh: trồng 6.000 cây" in body
    report.refresh_from_db()
    assert report.results == "Số liệu đã hiệu chỉnh: trồng 6.000 cây"  # nothing overwritten

    # The report's history says who edited it in the admin, when, and which fields.
    event = report.events.get()
    assert (event.kind, event.actor, event.from_state, event.to_state) == ("admin_edit", admin, "missing", "missing")
    body = officer.get(reverse("reporting:report", args=[report.pk])).content.decode()
    history = body[body.index('id="history"'):]
    events = history[:history.index("</table>")]
    assert "<td>Minh</td>" in events and "Quản trị viên sửa" in events
    assert "Tỷ lệ hoàn thành (%), Kết quả đạt được" in events
    assert "Số liệu đã hiệu chỉnh: trồng 6.000 cây" in history and "60%" in history  # the field-by-field diff


def test_an_admin_save_that_changes_nothing_is_not_a_new_version(client, report):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="quantri", is_staff=True, is_superuser=True))
    change = reverse("admin:reporting_report_change", args=[report.pk])
    assert client.post(change, _admin_change_form(client.get(change))).status_code == 302
    report.refresh_from_db()
    assert report.version == 0 and not report.events.exists()


def test_an_admin_giving_the_report_to_another_agency_is_a_new_version_with_the_assign_event(
        client, report, agency_a, agency_b):
    from tests.factories import UserFactory

    admin = UserFactory(username="quantri", is_staff=True, is_superuser=True)
    client.force_login(admin)
    change = reverse("admin:reporting_report_change", args=[report.pk])
    data = _admin_change_form(client.get(change))
    data["agency"] = agency_b.pk
    assert client.post(change, data).status_code == 302
    report.refresh_from_db()
    assert report.agency == agency_b and report.version == 1
    assert list(report.events.values_list("kind", "actor", "comment")) == [
        (ReportEvent.Kind.ASSIGN, admin.pk, "Sở Tài nguyên và Môi trường → Sở Công Thương")]


def test_saving_the_same_form_twice_is_one_save_and_not_a_conflict_with_ones_own_save(client, alice, report):
    """A double click on "Lưu nháp" posts the form twice with the version it was loaded at."""
    client.force_login(alice)
    url = reverse("reporting:save", args=[report.pk])
    typed = form_data(results="Đã trồng 5.000 cây", percent_complete=30, status="on_schedule", funds_local="2.000.000")
    first = client.post(url, typed)
    second = client.post(url, typed)
    assert first.status_code == 302 and second.status_code == 302
    assert second["Location"] == reverse("reporting:report", args=[report.pk]) + "?saved=1"
    page = client.get(second["Location"])
    assert page.status_code == 200 and 'id="conflict"' not in page.content.decode()
    assert "Đã lưu bản nháp." in [str(m) for m in page.context["messages"]]
    report.refresh_from_db()
    assert report.version == 1 and report.results == "Đã trồng 5.000 cây" and report.funds_local == 2000000
    assert list(report.events.values_list("kind", flat=True)) == [ReportEvent.Kind.SAVE]  # one save, one event


def test_the_same_stale_form_saved_again_with_other_content_is_still_a_conflict(client, alice, report):
    client.force_login(alice)
    url = reverse("reporting:save", args=[report.pk])
    assert client.post(url, form_data(results="Bản thứ nhất")).status_code == 302
    response = client.post(url, form_data(results="Bản thứ hai, từ một thẻ khác"))
    assert response.status_code == 409
    report.refresh_from_db()
    assert report.version == 1 and report.results == "Bản thứ nhất"


def test_another_editor_posting_the_same_content_on_a_stale_version_is_still_a_conflict(client, alice, hana, report):
    from django.test import Client

    first = Client()
    first.force_login(hana)
    client.force_login(alice)
    url = reverse("reporting:save", args=[report.pk])
    typed = form_data(results="Cùng một nội dung")
    assert first.post(url, typed).status_code == 302
    assert client.post(url, typed).status_code == 409
    report.refresh_from_db()
    assert report.version == 1 and report.updated_by == hana
