"""Test environments and their shared workspace: who sees and does what (pages and API), the
operators' changes (end before start refused, nothing saved; the signed agreement), tasks with
their overdue marking, meetings, files (bad types refused), the timeline in order, environments
from confirmed matches, the demo, and constant query counts."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from samskapa.accounts.models import Role
from samskapa.audit.models import AuditEntry
from samskapa.environments import services
from samskapa.environments.models import (
    Meeting,
    Task,
    TestEnvironment,
    TimelineEntry,
    WorkspaceFile,
)
from tests import factories
from tests.test_uploads import pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def hosted(programme, operator, people):
    """A test environment of the programme's innovator, hosted by the department the
    programme's needs owner acts for."""
    host = programme.memberships.get(user=people[Role.NEEDS_OWNER], role=Role.NEEDS_OWNER)
    return factories.environment(
        programme,
        by=operator,
        innovator=people[Role.INNOVATOR],
        challenge_=factories.challenge(programme, host.department),
        aims="Tio deltagare testar tjänsten",
    )


@pytest.fixture
def another(programme, operator):
    """Another innovator's test environment, hosted by another department."""
    return factories.environment(programme, by=operator, aims="Någon annans mål")


def pdf(name="avtal.pdf"):
    return SimpleUploadedFile(name, pdf_bytes(), "application/pdf")


# --- Who sees and does what ------------------------------------------------------------------


def test_the_innovator_sees_their_own_environment_never_anothers(
    client_as, programme, people, hosted, another
):
    client = client_as(people[Role.INNOVATOR])
    page = client.get(f"/environments/{hosted.pk}/")
    assert page.status_code == 200
    assert "Tio deltagare testar tjänsten" in page.content.decode()
    assert client.get(f"/environments/{another.pk}/").status_code == 404
    assert client.get(f"/api/environments/{another.pk}").status_code == 404
    assert client.get(f"/api/environments/{another.pk}/tasks").status_code == 404
    listed = client.get(f"/environments/programme/{programme.pk}/").content.decode()
    assert "Tio deltagare" not in listed  # the list shows names, not aims
    assert another.journey.innovator.full_name not in listed
    api = client.get(f"/api/programmes/{programme.pk}/environments").json()
    assert [item["id"] for item in api["items"]] == [hosted.pk]


def test_the_host_departments_needs_owner_sees_and_contributes_not_other_departments(
    client_as, programme, people, hosted, another
):
    client = client_as(people[Role.NEEDS_OWNER])
    assert client.get(f"/environments/{hosted.pk}/").status_code == 200
    assert client.get(f"/environments/{another.pk}/").status_code == 404
    response = client.post(
        f"/api/environments/{hosted.pk}/tasks",
        {"title": "Boka lokal"},
        content_type="application/json",
    )
    assert response.status_code == 201
    # ... but only operators change the environment itself.
    assert client.get(f"/environments/{hosted.pk}/edit/").status_code == 403
    patch = client.patch(
        f"/api/environments/{hosted.pk}", {"aims": "x"}, content_type="application/json"
    )
    assert patch.status_code == 403


def test_steering_group_observers_and_outsiders_do_not_see_an_environment(
    client_as, people, hosted
):
    for role in (Role.STEERING_GROUP, Role.OBSERVER, Role.REVIEWER, "outsider"):
        client = client_as(people[role])
        assert client.get(f"/environments/{hosted.pk}/").status_code == 404, role
        assert client.get(f"/api/environments/{hosted.pk}/timeline").status_code == 404, role


def test_services_check_permission_too(people, hosted):
    with pytest.raises(PermissionDenied):
        services.update_environment(hosted, by=people[Role.NEEDS_OWNER], aims="x")
    with pytest.raises(PermissionDenied):
        services.add_task(hosted, by=people[Role.OBSERVER], title="x")
    assert not Task.objects.exists()


def test_the_programme_page_links_innovators_to_their_environment(
    client_as, programme, people, hosted
):
    page = client_as(people[Role.INNOVATOR]).get(f"/programmes/{programme.pk}/").content
    assert f'href="/environments/{hosted.pk}/"' in page.decode()
    assert "My test environment" in page.decode()
    observer = client_as(people[Role.OBSERVER]).get(f"/programmes/{programme.pk}/").content
    assert "/environments/" not in observer.decode()


# --- Setting up and changing -----------------------------------------------------------------


def test_operator_sets_up_an_environment_by_hand_among_the_programmes_people(
    client_as, programme, operator, people
):
    challenge = factories.challenge(programme)
    challenge.premises = "Träffpunkten på Storgatan"
    challenge.save()
    response = client_as(operator).post(
        f"/environments/programme/{programme.pk}/new/",
        {
            "innovator": people[Role.INNOVATOR].pk,
            "challenge": challenge.pk,
            "aims": "Pröva metoden med tio äldre",
            "starts_on": "2026-09-01",
            "ends_on": "2027-03-31",
        },
    )
    environment = TestEnvironment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/environments/{environment.pk}/"
    assert environment.journey.innovator == people[Role.INNOVATOR]
    assert environment.premises == "Träffpunkten på Storgatan"  # the challenge's offer
    assert [e.get_kind_display() for e in environment.timeline.all()] == ["Test environment set up"]
    # Someone outside the programme cannot be chosen.
    stranger = factories.person()
    refused = client_as(operator).post(
        f"/environments/programme/{programme.pk}/new/",
        {"innovator": stranger.pk, "challenge": challenge.pk},
    )
    assert refused.status_code == 200
    assert TestEnvironment.objects.count() == 1


def test_end_before_start_is_refused_with_a_message_and_nothing_is_saved(
    client_as, operator, hosted
):
    before = TestEnvironment.objects.filter(pk=hosted.pk).values().get()
    response = client_as(operator).post(
        f"/environments/{hosted.pk}/edit/",
        {
            "target_group_access": "Nytt",
            "aims": "Ändrade mål",
            "starts_on": "2026-10-01",
            "ends_on": "2026-09-01",
            "status": "active",
        },
    )
    assert response.status_code == 200
    assert "The end date cannot be before the start date." in response.content.decode()
    assert TestEnvironment.objects.filter(pk=hosted.pk).values().get() == before
    assert not AuditEntry.objects.filter(action="environments.updated").exists()
    # The service refuses it too (the API's way in).
    with pytest.raises(ValidationError) as refused:
        services.update_environment(
            hosted, by=operator, starts_on=date(2026, 10, 1), ends_on=date(2026, 9, 1)
        )
    assert refused.value.message_dict == {
        "ends_on": ["The end date cannot be before the start date."]
    }
    client = client_as(operator)
    api = client.patch(
        f"/api/environments/{hosted.pk}",
        {"starts_on": "2026-10-01", "ends_on": "2026-09-01"},
        content_type="application/json",
    )
    assert api.status_code == 422
    assert api.json()["errors"]["ends_on"] == ["The end date cannot be before the start date."]
    assert TestEnvironment.objects.filter(pk=hosted.pk).values().get() == before


def test_operator_changes_status_and_attaches_the_agreement(client_as, operator, people, hosted):
    response = client_as(operator).post(
        f"/environments/{hosted.pk}/edit/",
        {
            "contact_person": people[Role.NEEDS_OWNER].pk,
            "facilitator": operator.pk,
            "aims": "Tjugo deltagare",
            "starts_on": "2026-09-01",
            "ends_on": "2027-03-31",
            "status": "active",
            "agreement": pdf("PUB-avtal.pdf"),
        },
    )
    assert response.status_code == 302
    hosted.refresh_from_db()
    assert hosted.status == "active"
    assert hosted.data_agreement_signed
    assert hosted.data_agreement_filename == "PUB-avtal.pdf"
    assert hosted.data_agreement_file.startswith("environments/")
    entry = AuditEntry.objects.get(action="environments.updated")
    assert entry.changes["status"] == ["Being planned", "Running"]
    assert "data_agreement_file" not in entry.changes
    kinds = [e.kind for e in hosted.timeline.all()]
    assert kinds == ["created", "edited", "status", "agreement"]
    # The innovator downloads it; another innovator cannot.
    download = client_as(people[Role.INNOVATOR]).get(f"/environments/{hosted.pk}/agreement/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    assert "PUB-avtal.pdf" in download["Content-Disposition"]
    other = factories.member(hosted.programme, Role.INNOVATOR)
    assert client_as(other).get(f"/environments/{hosted.pk}/agreement/").status_code == 404
    assert client_as(other).get(f"/api/environments/{hosted.pk}/agreement").status_code == 404


def test_an_agreement_of_a_bad_type_is_refused_and_nothing_is_saved(client_as, operator, hosted):
    response = client_as(operator).post(
        f"/environments/{hosted.pk}/edit/",
        {
            "aims": "Ändrat",
            "status": "active",
            "agreement": SimpleUploadedFile(
                "avtal.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"
            ),
        },
    )
    assert response.status_code == 200
    assert "is not a type allowed here" in response.content.decode()
    hosted.refresh_from_db()
    assert hosted.status == "planned" and hosted.aims == "Tio deltagare testar tjänsten"
    assert not hosted.data_agreement_signed


# --- The workspace ---------------------------------------------------------------------------


def test_a_task_past_its_due_date_is_marked_overdue_until_done(client_as, people, hosted):
    innovator = people[Role.INNOVATOR]
    yesterday = timezone.localdate() - timedelta(days=1)
    client = client_as(innovator)
    client.post(
        f"/environments/{hosted.pk}/tasks/",
        {"task-title": "Skicka enkäten", "task-owner": innovator.pk, "task-due_on": yesterday},
    )
    client.post(
        f"/environments/{hosted.pk}/tasks/",
        {"task-title": "Boka lokal", "task-due_on": yesterday + timedelta(days=30)},
    )
    late, later = Task.objects.order_by("pk")
    assert late.is_overdue() and not later.is_overdue()
    page = client.get(f"/environments/{hosted.pk}/").content.decode()
    assert page.count('class="overdue"') == 1
    assert "Overdue" in page
    api = {
        t["title"]: t["overdue"] for t in client.get(f"/api/environments/{hosted.pk}/tasks").json()
    }
    assert api == {"Skicka enkäten": True, "Boka lokal": False}
    listed = client.get(f"/environments/programme/{hosted.programme_id}/").content.decode()
    assert "1 overdue" in listed
    # Done: no longer overdue.
    client.post(f"/environments/{hosted.pk}/tasks/{late.pk}/done/", {"done": "1"})
    late.refresh_from_db()
    assert late.done and not late.is_overdue()
    assert 'class="overdue"' not in client.get(f"/environments/{hosted.pk}/").content.decode()


def test_a_task_owner_must_be_one_of_the_environments_people(client_as, people, hosted):
    outsider_in_programme = people[Role.OBSERVER]
    response = client_as(people[Role.INNOVATOR]).post(
        f"/api/environments/{hosted.pk}/tasks",
        {"title": "Fel ägare", "owner_id": outsider_in_programme.pk},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "owner" in response.json()["errors"]
    assert not Task.objects.exists()
    assert not TimelineEntry.objects.filter(kind="task_added").exists()


def test_a_meeting_needs_a_place_or_a_video_link(client_as, people, hosted):
    client = client_as(people[Role.NEEDS_OWNER])
    refused = client.post(
        f"/api/environments/{hosted.pk}/meetings",
        {"starts_at": "2026-10-05T10:00:00+02:00", "agenda": "Uppstart"},
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert not Meeting.objects.exists()
    page = client.post(
        f"/environments/{hosted.pk}/meetings/",
        {
            "meeting-starts_at": "2026-10-05T10:00",
            "meeting-video_link": "https://meet.example.se/uppstart",
            "meeting-agenda": "Uppstart och mål",
        },
    )
    assert page.status_code == 302
    meeting = Meeting.objects.get()
    assert timezone.localtime(meeting.starts_at).hour == 10
    assert "Uppstart och mål" in client.get(f"/environments/{hosted.pk}/").content.decode()


def test_a_file_of_a_bad_type_is_refused_and_a_good_one_is_served_to_the_people_only(
    client_as, people, hosted, another
):
    client = client_as(people[Role.INNOVATOR])
    refused = client.post(
        f"/environments/{hosted.pk}/files/",
        {"file-file": SimpleUploadedFile("program.pdf", b"MZ\x90\x00\x03", "application/pdf")},
    )
    assert refused.status_code == 200
    assert "is not a type allowed here" in refused.content.decode()
    api_refused = client.post(
        f"/api/environments/{hosted.pk}/files",
        {"file": SimpleUploadedFile("bild.pdf", png_bytes(), "application/pdf")},
    )
    assert api_refused.status_code == 422
    assert not WorkspaceFile.objects.exists()
    assert not TimelineEntry.objects.filter(kind="file").exists()

    created = client.post(f"/api/environments/{hosted.pk}/files", {"file": pdf("plan.pdf")})
    assert created.status_code == 201
    stored = WorkspaceFile.objects.get()
    assert stored.content_type == "application/pdf"
    assert stored.file.name.startswith("environments/")
    url = f"/environments/{hosted.pk}/files/{stored.pk}/"
    download = client_as(people[Role.NEEDS_OWNER]).get(url)
    assert download.status_code == 200
    assert download["X-Content-Type-Options"] == "nosniff"
    api_download = client.get(f"/api/environments/{hosted.pk}/files/{stored.pk}")
    assert b"".join(api_download.streaming_content).startswith(b"%PDF-")
    # Not through another environment, nor by another innovator.
    assert client.get(f"/environments/{another.pk}/files/{stored.pk}/").status_code == 404
    other = factories.member(hosted.programme, Role.INNOVATOR)
    assert client_as(other).get(url).status_code == 404


def test_the_timeline_lists_what_happened_in_order_with_who(client_as, operator, people, hosted):
    innovator, host = people[Role.INNOVATOR], people[Role.NEEDS_OWNER]
    task = services.add_task(hosted, by=innovator, title="Skicka enkäten")
    services.add_meeting(
        hosted, by=host, starts_at=timezone.now() + timedelta(days=3), place="Träffpunkten"
    )
    services.add_file(hosted, by=host, upload=pdf("underlag.pdf"))
    services.set_task_done(task, by=innovator, done=True)
    services.update_environment(hosted, by=operator, status="paused")
    expected = [
        ("created", operator, ""),
        ("task_added", innovator, "Skicka enkäten"),
        ("meeting", host, None),
        ("file", host, "underlag.pdf"),
        ("task_done", innovator, "Skicka enkäten"),
        ("status", operator, "Being planned → Paused"),
    ]
    entries = list(hosted.timeline.all())
    assert [(e.kind, e.actor) for e in entries] == [(k, a) for k, a, _s in expected]
    for entry, (_kind, _actor, subject) in zip(entries, expected, strict=True):
        if subject is not None:
            assert entry.subject == subject
    api = client_as(innovator).get(f"/api/environments/{hosted.pk}/timeline").json()
    assert [item["kind"] for item in api] == [k for k, _a, _s in expected]
    assert api[1]["actor_name"] == innovator.full_name
    page = client_as(innovator).get(f"/environments/{hosted.pk}/").content.decode()
    timeline = page[page.index('id="timeline"') :]
    positions = [timeline.index(label) for label in ("Task added", "Meeting added", "File added")]
    assert positions == sorted(positions)
    # Each workspace action is one audit entry.
    codes = list(
        AuditEntry.objects.filter(action__startswith="environments.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert codes == [
        "environments.created",
        "environments.task.added",
        "environments.meeting.added",
        "environments.file.added",
        "environments.task.done",
        "environments.updated",
    ]


# --- Confirmed matches -----------------------------------------------------------------------


def test_confirmed_matches_create_environments_with_the_challenges_offer(programme, operator):
    from samskapa.matching import services as matching
    from tests.test_matching_product import closed_call_with_reviews

    call, challenges, _applications = closed_call_with_reviews(programme, operator)
    for challenge in challenges.values():
        challenge.target_group_access = f"Via {challenge.title}"
        challenge.premises = "Stadsdelshuset"
        challenge.data_offered = "Besöksstatistik"
        challenge.budget_max = 250_000
        challenge.save()
    matches = matching.confirm_run(matching.run_matching(call, by=operator), by=operator)
    environments = TestEnvironment.objects.select_related("challenge", "match")
    assert {e.match for e in environments} == set(matches)
    for environment in environments:
        assert environment.target_group_access == f"Via {environment.challenge.title}"
        assert environment.premises == "Stadsdelshuset"
        assert environment.data_offered == "Besöksstatistik"
        assert environment.budget == 250_000
        assert environment.host_department == environment.challenge.department
        assert [e.kind for e in environment.timeline.all()] == ["created"]


# --- The demo --------------------------------------------------------------------------------


def test_the_demo_has_environments_for_ida_hosted_by_bos_department():
    from io import StringIO

    from django.core.management import call_command

    from samskapa.core.demo import DEMO_DOMAIN
    from samskapa.programmes.models import Programme

    call_command("load_demo", stdout=StringIO())
    programme = Programme.objects.get()
    environments = TestEnvironment.objects.all()
    assert 4 <= environments.count() <= 5
    ida = environments.get(journey__innovator__email=f"innovator@{DEMO_DOMAIN}")
    bo = programme.memberships.get(user__email=f"behovsagare@{DEMO_DOMAIN}")
    assert ida.host_department == bo.department
    assert ida in TestEnvironment.objects.visible_to(bo.user)
    assert environments.filter(data_agreement_signed=True).count() == 1
    assert any(t.is_overdue() for t in Task.objects.all())
    assert Meeting.objects.exists()
    assert all(e.aims for e in environments)


# --- Query counts ----------------------------------------------------------------------------


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_list_and_detail_pages_do_not_grow_with_environments_tasks_and_files(
    client_as, programme, operator, people, hosted
):
    client = client_as(operator)
    pages = [
        f"/environments/programme/{programme.pk}/",
        f"/environments/{hosted.pk}/",
        f"/api/programmes/{programme.pk}/environments",
        f"/api/environments/{hosted.pk}/tasks",
        f"/api/environments/{hosted.pk}/timeline",
    ]

    def grow():
        factories.environment(programme, by=operator)
        for n in range(3):
            task = services.add_task(
                hosted, by=operator, title=f"Uppgift {n}", owner=people[Role.INNOVATOR]
            )
            services.set_task_done(task, by=operator, done=True)
            services.add_file(hosted, by=operator, upload=pdf(f"fil{n}.pdf"))
            services.add_meeting(hosted, by=operator, starts_at=timezone.now(), place=f"Rum {n}")

    grow()
    before = [_count(client, url) for url in pages]
    grow()
    grow()
    assert [_count(client, url) for url in pages] == before
