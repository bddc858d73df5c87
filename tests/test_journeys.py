"""Journeys, gates (checklist, recommendation, steering-group decision), group meetings and the
minutes PDF: services and pages."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from samskapa.accounts.models import Role
from samskapa.audit.models import AuditEntry
from samskapa.journeys import services
from samskapa.journeys.models import Gate, GroupKind, JourneyStatus
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate().isoformat()


@pytest.fixture
def journey(programme, operator):
    return factories.environment(programme, by=operator).journey


@pytest.fixture
def steering(programme, people):
    return people[Role.STEERING_GROUP]


def _recommended(journey, operator, recommendation="go"):
    gate = services.open_gate(journey, by=operator)
    services.recommend(gate, by=operator, recommendation=recommendation, text="Skäl")
    return gate


def _decide(gate, steering, decision="go", **extra):
    fields = {
        "decision": decision,
        "rationale": "Motivering",
        "decided_on": timezone.localdate(),
        "members_present": [steering],
    } | extra
    return services.decide(gate, by=steering, **fields)


# --- Gates --------------------------------------------------------------------------------


def test_a_gate_lists_the_phases_criteria_as_its_checklist(journey, operator):
    gate = services.open_gate(journey, by=operator)

    texts = [check.text for check in gate.checks.all()]
    expected = journey.programme.phases.get(kind=journey.phase).criteria.values_list(
        "text", flat=True
    )
    assert texts == list(expected) and len(texts) == 3
    assert gate.phase == 2
    assert AuditEntry.objects.filter(action="journeys.gate.opened").count() == 1


def test_only_one_open_gate_per_journey(journey, operator):
    services.open_gate(journey, by=operator)

    with pytest.raises(ValidationError, match="already has an open gate"):
        services.open_gate(journey, by=operator)
    assert journey.gates.count() == 1


def test_checklist_with_evidence_and_a_bad_link_saves_nothing(journey, operator):
    gate = services.open_gate(journey, by=operator)
    first, second, _third = gate.checks.all()

    with pytest.raises(ValidationError, match="not a web address"):
        services.update_checklist(
            gate,
            by=operator,
            checks={
                first.pk: {"met": True, "evidence_url": "https://example.se/avtal"},
                second.pk: {"met": False, "evidence_url": "javascript:alert(1)"},
            },
        )
    first.refresh_from_db()
    assert first.met is None and first.evidence_url == ""

    services.update_checklist(
        gate,
        by=operator,
        checks={first.pk: {"met": True, "evidence_url": "https://example.se/avtal", "note": "OK"}},
    )
    first.refresh_from_db()
    assert (first.met, first.evidence_url, first.note) == (True, "https://example.se/avtal", "OK")


def test_go_moves_exactly_one_phase(journey, operator, steering):
    gate = _recommended(journey, operator)

    _decide(gate, steering, "go")

    journey.refresh_from_db()
    assert (journey.phase, journey.status) == (3, JourneyStatus.ACTIVE)
    gate.refresh_from_db()
    assert (gate.phase_after, gate.status_after) == (3, JourneyStatus.ACTIVE)
    assert list(gate.members_present.all()) == [steering]
    assert AuditEntry.objects.filter(action="journeys.gate.decided").count() == 1


def test_a_request_to_jump_phases_is_refused(journey, operator, steering):
    gate = _recommended(journey, operator)

    with pytest.raises(ValidationError, match="exactly one phase forward"):
        _decide(gate, steering, "go", target_phase=4)
    with pytest.raises(ValidationError, match="moving forward takes a decision to go"):
        _decide(gate, steering, "iterate", target_phase=3)

    journey.refresh_from_db()
    gate.refresh_from_db()
    assert journey.phase == 2 and not gate.is_decided


def test_go_from_the_last_phase_completes_the_journey(journey, operator, steering):
    for _phase in (2, 3):
        _decide(_recommended(journey, operator), steering, "go")
    journey.refresh_from_db()
    assert journey.phase == 4

    _decide(_recommended(journey, operator), steering, "go")

    journey.refresh_from_db()
    assert (journey.phase, journey.status) == (4, JourneyStatus.COMPLETED)
    with pytest.raises(ValidationError, match="no more gates"):
        services.open_gate(journey, by=operator)


def test_iterate_goes_back_to_the_previous_phase_or_the_one_named(journey, operator, steering):
    _decide(_recommended(journey, operator), steering, "go")  # to phase 3
    _decide(_recommended(journey, operator, "iterate"), steering, "iterate")
    journey.refresh_from_db()
    assert journey.phase == 2

    _decide(_recommended(journey, operator, "iterate"), steering, "iterate", target_phase=2)
    journey.refresh_from_db()
    assert journey.phase == 2  # stays
    history = list(journey.gates.order_by("opened_at", "pk").values_list("decision", "phase_after"))
    assert history == [("go", 3), ("iterate", 2), ("iterate", 2)]


def test_pause_then_a_later_gate_resumes_and_stop_stops(journey, operator, steering):
    _decide(_recommended(journey, operator, "pause"), steering, "pause")
    journey.refresh_from_db()
    assert (journey.phase, journey.status) == (2, JourneyStatus.PAUSED)

    _decide(_recommended(journey, operator), steering, "iterate", target_phase=2)
    journey.refresh_from_db()
    assert journey.status == JourneyStatus.ACTIVE

    _decide(_recommended(journey, operator, "stop"), steering, "stop")
    journey.refresh_from_db()
    assert journey.status == JourneyStatus.STOPPED


def test_a_decision_without_rationale_or_members_is_refused_and_nothing_saved(
    journey, operator, steering
):
    gate = _recommended(journey, operator)

    with pytest.raises(ValidationError) as refused:
        _decide(gate, steering, rationale="  ", members_present=[])

    errors = refused.value.message_dict
    assert "rationale" in errors and "members_present" in errors
    gate.refresh_from_db()
    journey.refresh_from_db()
    assert not gate.is_decided and journey.phase == 2
    assert not AuditEntry.objects.filter(action="journeys.gate.decided").exists()


def test_members_present_must_be_of_the_steering_group(journey, operator, steering, people):
    gate = _recommended(journey, operator)

    with pytest.raises(ValidationError, match="Not in the programme's steering group"):
        _decide(gate, steering, members_present=[steering, people[Role.OBSERVER]])


def test_no_decision_before_the_recommendation(journey, operator, steering):
    gate = services.open_gate(journey, by=operator)

    with pytest.raises(ValidationError, match="recommendation comes first"):
        _decide(gate, steering)


def test_a_stale_decision_is_refused_and_decided_gates_are_immutable(journey, operator, steering):
    gate = _recommended(journey, operator)
    stale = Gate.objects.get(pk=gate.pk)
    _decide(gate, steering, "go")

    with pytest.raises(ValidationError, match="already decided"):
        _decide(stale, steering, "stop")
    with pytest.raises(ValidationError, match="cannot change"):
        services.recommend(stale, by=operator, recommendation="stop", text="x")
    with pytest.raises(ValidationError, match="cannot change"):
        services.update_checklist(stale, by=operator, checks={})
    journey.refresh_from_db()
    assert (journey.phase, journey.status) == (3, JourneyStatus.ACTIVE)


def test_who_prepares_and_who_decides(journey, operator, steering, people):
    with pytest.raises(PermissionDenied):
        services.open_gate(journey, by=steering)
    gate = _recommended(journey, operator)
    with pytest.raises(PermissionDenied):
        _decide(gate, operator)
    with pytest.raises(PermissionDenied):
        services.recommend(gate, by=people[Role.INNOVATOR], recommendation="go", text="x")


# --- Meetings -----------------------------------------------------------------------------


def _meeting(programme, operator, attendees, kind=GroupKind.STEERING_GROUP, **fields):
    return services.create_meeting(
        programme,
        by=operator,
        kind=kind,
        starts_at=timezone.now(),
        place="Stadshuset",
        agenda=["Grindar", "Övrigt"],
        attendees=attendees,
        minutes="Protokoll",
        **fields,
    )


def test_a_conflicted_member_cannot_be_present_for_that_journeys_decision(
    programme, journey, operator, steering
):
    other = factories.member(programme, Role.STEERING_GROUP, factories.person(full_name="Berit"))
    meeting = _meeting(programme, operator, [steering, other])
    services.declare_conflict(meeting, by=operator, member=other, journey=journey, note="Jäv")
    gate = _recommended(journey, operator)

    with pytest.raises(ValidationError, match="conflict of interest"):
        _decide(gate, steering, members_present=[steering, other], meeting=meeting)

    _decide(gate, steering, members_present=[steering], meeting=meeting)
    assert list(meeting.gate_decisions.all()) == [gate]


def test_meeting_attendees_must_be_members_of_the_group(programme, operator, steering, people):
    with pytest.raises(ValidationError, match="Not members of the"):
        _meeting(programme, operator, [people[Role.NEEDS_OWNER], steering])
    needs = _meeting(programme, operator, [people[Role.NEEDS_OWNER]], kind=GroupKind.NEEDS_OWNER)
    assert needs.items.count() == 2


def test_a_decision_at_a_meeting_needs_the_members_to_attend(
    programme, journey, operator, steering
):
    meeting = _meeting(programme, operator, [])
    gate = _recommended(journey, operator)

    with pytest.raises(ValidationError, match="Not recorded as attending"):
        _decide(gate, steering, meeting=meeting)


def test_meeting_pages_and_minutes_pdf(client_as, programme, journey, operator, steering, people):
    from pypdf import PdfReader

    meeting = _meeting(programme, operator, [steering])
    services.declare_conflict(meeting, by=operator, member=steering, journey=journey, note="Jäv")

    response = client_as(steering).get(f"/journeys/meetings/{meeting.pk}/minutes.pdf")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Protokoll" in text and "Grindar" in text and "Jäv" in text
    assert client_as(people[Role.NEEDS_OWNER]).get(meeting.get_absolute_url()).status_code == 404
    assert client_as(people[Role.INNOVATOR]).get(meeting.get_absolute_url()).status_code == 404
    needs = _meeting(programme, operator, [people[Role.NEEDS_OWNER]], kind=GroupKind.NEEDS_OWNER)
    assert client_as(people[Role.NEEDS_OWNER]).get(needs.get_absolute_url()).status_code == 200
    assert client_as(steering).get(needs.get_absolute_url()).status_code == 404


def test_operator_creates_a_meeting_in_the_page(client_as, programme, journey, operator, steering):
    client = client_as(operator)
    response = client.post(
        f"/journeys/programme/{programme.pk}/meetings/new/",
        {
            "kind": "steering_group",
            "starts_at": "2026-05-04T13:00",
            "place": "Rum 2",
            "agenda-0-title": "Grind för X",
            "agenda-0-journey": journey.pk,
            "agenda-2-title": "Övrigt",
            "attendees": [steering.pk],
            "minutes": "",
        },
    )
    assert response.status_code == 302
    meeting = programme.group_meetings.get()
    items = [(i.title, i.journey_id, i.position) for i in meeting.items.all()]
    assert items == [("Grind för X", journey.pk, 0), ("Övrigt", None, 1)]


def _edit_data(form):
    """What the edit page posts when saved unchanged: the initial values of its form."""
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if name == "attendees":
            value = [a.pk for a in value]
        elif name == "starts_at":
            value = timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")
        data[name] = value
    return data


def test_saving_a_meeting_unchanged_keeps_its_agenda_and_conflicts(
    client_as, programme, journey, operator, steering
):
    from samskapa.journeys.forms import MeetingForm

    client = client_as(operator)
    created = client.post(
        f"/api/programmes/{programme.pk}/meetings",
        {
            "kind": "steering_group",
            "starts_at": "2026-05-04T13:00:00+02:00",
            "agenda": [{"title": "Gate of X", "journey_id": journey.pk}, {"title": "Övrigt"}],
            "attendees": [steering.pk],
        },
        content_type="application/json",
    ).json()
    meeting = programme.group_meetings.get(pk=created["id"])
    item = meeting.items.get(title="Gate of X")
    services.declare_conflict(meeting, by=operator, member=steering, item=item)
    page = client.get(f"/journeys/meetings/{meeting.pk}/edit/")
    assert page.status_code == 200

    response = client.post(
        f"/journeys/meetings/{meeting.pk}/edit/",
        _edit_data(MeetingForm(instance=meeting, programme=programme)),
    )

    assert response.status_code == 302
    items = [(i.pk, i.title, i.journey_id, i.position) for i in meeting.items.all()]
    assert items == [
        (item.pk, "Gate of X", journey.pk, 0),
        (created["agenda"][1]["id"], "Övrigt", None, 1),
    ]
    assert services.conflicted_members(meeting, journey) == {steering.pk}
    assert services.journey_conflicts(journey) == {steering.pk}


def test_editing_the_agenda_links_journeys_removes_renumbers_and_keeps_conflicted_items(
    client_as, programme, journey, operator, steering
):
    from samskapa.journeys.forms import MeetingForm

    other = factories.environment(programme, by=operator).journey
    meeting = services.create_meeting(
        programme,
        by=operator,
        kind=GroupKind.STEERING_GROUP,
        starts_at=timezone.now(),
        agenda=["Öppnande", ("Grind", journey), "Övrigt"],
        attendees=[steering],
    )
    opening, gate_item, rest = meeting.items.all()
    services.declare_conflict(meeting, by=operator, member=steering, item=gate_item)
    client = client_as(operator)
    url = f"/journeys/meetings/{meeting.pk}/edit/"
    data = _edit_data(MeetingForm(instance=meeting, programme=programme))

    # Removing the conflicted item, or moving it to another journey, is refused: nothing changes
    for change in ({"agenda-1-title": ""}, {"agenda-1-journey": other.pk}):
        refused = client.post(url, data | change)
        assert refused.status_code == 200
        assert "A conflict of interest is declared about" in refused.content.decode()
    assert [(i.title, i.journey_id) for i in meeting.items.all()] == [
        ("Öppnande", None),
        ("Grind", journey.pk),
        ("Övrigt", None),
    ]

    # Removing the first, linking the last to a journey, adding one: kept items renumbered
    response = client.post(
        url,
        data
        | {
            "agenda-0-title": "",
            "agenda-2-journey": other.pk,
            "agenda-3-title": "Nästa möte",
        },
    )
    assert response.status_code == 302
    assert [(i.pk, i.title, i.journey_id, i.position) for i in meeting.items.all()] == [
        (gate_item.pk, "Grind", journey.pk, 0),
        (rest.pk, "Övrigt", other.pk, 1),
        (meeting.items.get(title="Nästa möte").pk, "Nästa möte", None, 2),
    ]
    entry = AuditEntry.objects.filter(action="journeys.meeting.updated").latest("pk")
    assert "agenda" in entry.changes


# --- Pages --------------------------------------------------------------------------------


def test_the_gate_flow_in_the_pages(client_as, programme, journey, operator, steering):
    client = client_as(operator)
    response = client.post(f"/journeys/{journey.pk}/gates/")
    gate = journey.gates.get()
    assert response.status_code == 302 and response.url == gate.get_absolute_url()
    checks = list(gate.checks.all())
    data = {f"met_{c.pk}": "yes" for c in checks} | {
        f"evidence_{checks[0].pk}": "https://example.se/bevis"
    }
    assert client.post(f"/journeys/gates/{gate.pk}/checklist/", data).status_code == 302
    response = client.post(
        f"/journeys/gates/{gate.pk}/recommendation/",
        {"recommendation": "iterate", "recommendation_text": "Mer test behövs"},
    )
    assert response.status_code == 302

    client = client_as(steering)
    refused = client.post(
        f"/journeys/gates/{gate.pk}/decision/",
        {
            "decision": "iterate",
            "rationale": "",
            "decided_on": TODAY,
            "members_present": [steering.pk],
        },
    )
    assert refused.status_code == 422
    assert "Give the rationale for the decision" in refused.content.decode()
    response = client.post(
        f"/journeys/gates/{gate.pk}/decision/",
        {
            "decision": "iterate",
            "target_phase": "",
            "rationale": "Testa mer",
            "decided_on": TODAY,
            "members_present": [steering.pk],
        },
    )
    assert response.status_code == 302
    journey.refresh_from_db()
    assert journey.phase == 2  # journeys start in phase 2: iterate there stays
    page = client.get(journey.get_absolute_url()).content.decode()
    assert "Testa mer" in page and "https://example.se/bevis" in page


def test_journey_pages_innovator_sees_own_not_others(client_as, programme, operator, people):
    own = factories.environment(programme, by=operator, innovator=people[Role.INNOVATOR]).journey
    other = factories.environment(programme, by=operator).journey
    gate = services.open_gate(other, by=operator)
    client = client_as(people[Role.INNOVATOR])

    assert client.get(own.get_absolute_url()).status_code == 200
    assert client.get(other.get_absolute_url()).status_code == 404
    assert client.get(gate.get_absolute_url()).status_code == 404
    assert client_as(people[Role.OBSERVER]).get(gate.get_absolute_url()).status_code == 404
    assert client_as(people[Role.STEERING_GROUP]).get(gate.get_absolute_url()).status_code == 200


def test_operator_adds_a_journey_by_hand(client_as, programme, operator, people):
    innovator = people[Role.INNOVATOR]
    client = client_as(operator)

    response = client.post(f"/journeys/programme/{programme.pk}/new/", {"innovator": innovator.pk})

    journey = programme.journeys.get(innovator=innovator)
    assert response.status_code == 302 and journey.phase == 2
    with pytest.raises(ValidationError, match="already has a journey"):
        services.create_journey(programme, by=operator, innovator=innovator)


def test_swedish_gate_page(client_as, programme, journey, operator):
    gate = services.open_gate(journey, by=operator)

    page = client_as(operator, language="sv").get(gate.get_absolute_url()).content.decode()

    assert 'lang="sv"' in page


def test_board_marks_overdue_and_awaiting(client_as, programme, journey, operator, steering):
    from samskapa.journeys import board

    gate = _recommended(journey, operator)
    Gate.objects.filter(pk=gate.pk).update(opened_at=timezone.now() - timedelta(days=20))
    phase_end = programme.phases.get(kind=2).ends_on

    built = board.build(programme, steering, today=phase_end + timedelta(days=1))

    [row] = built.rows
    assert row.awaits_decision and row.phase_overdue_since == phase_end
    assert row.gate_waiting_since is not None
    assert built.awaiting_count == 1 and built.overdue_count == 1
    page = client_as(steering).get(f"/journeys/programme/{programme.pk}/board/").content.decode()
    assert "Awaits a decision" in page and '<th scope="row">' in page


# --- API ----------------------------------------------------------------------------------


def test_the_gate_flow_in_the_api(client_as, programme, journey, operator, steering, people):
    client = client_as(operator)
    response = client.post(f"/api/journeys/{journey.pk}/gates", content_type="application/json")
    assert response.status_code == 201, response.content
    gate = response.json()
    first = gate["checks"][0]["id"]
    response = client.post(
        f"/api/gates/{gate['id']}/checklist",
        {"checks": [{"id": first, "met": True, "evidence_url": "ftp://x"}]},
        content_type="application/json",
    )
    assert response.status_code == 422
    response = client.post(
        f"/api/gates/{gate['id']}/checklist",
        {"checks": [{"id": first, "met": True, "evidence_url": "https://example.se/x"}]},
        content_type="application/json",
    )
    assert response.json()["checks"][0]["met"] is True
    response = client.post(
        f"/api/gates/{gate['id']}/recommendation",
        {"recommendation": "go", "text": "Klart"},
        content_type="application/json",
    )
    assert response.status_code == 200
    decision = {
        "decision": "go",
        "rationale": "Bra",
        "decided_on": TODAY,
        "members_present": [steering.pk],
    }
    assert (
        client.post(
            f"/api/gates/{gate['id']}/decision", decision, content_type="application/json"
        ).status_code
        == 403
    )
    client = client_as(steering)
    jump = client.post(
        f"/api/gates/{gate['id']}/decision",
        decision | {"target_phase": 4},
        content_type="application/json",
    )
    assert jump.status_code == 422 and "target_phase" in jump.json()["errors"]
    response = client.post(
        f"/api/gates/{gate['id']}/decision", decision, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["phase_after"] == 3
    again = client.post(
        f"/api/gates/{gate['id']}/decision", decision, content_type="application/json"
    )
    assert again.status_code == 422
    assert client.get(f"/api/journeys/{journey.pk}").json()["phase"] == 3
    board = client.get(f"/api/programmes/{programme.pk}/board").json()
    assert board["rows"][0]["decided_gates"] == 1 and len(board["phases"]) == 4
    innovator = client_as(people[Role.INNOVATOR])
    assert innovator.get(f"/api/gates/{gate['id']}").status_code == 404
    assert innovator.get(f"/api/programmes/{programme.pk}/journeys").json() == []


def test_meetings_in_the_api(client_as, programme, journey, operator, steering, people):
    client = client_as(operator)
    response = client.post(
        f"/api/programmes/{programme.pk}/meetings",
        {
            "kind": "steering_group",
            "starts_at": "2026-05-04T13:00:00+02:00",
            "agenda": [{"title": "Grind", "journey_id": journey.pk}],
            "attendees": [steering.pk],
            "minutes": "Protokoll",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    meeting = response.json()
    response = client.post(
        f"/api/meetings/{meeting['id']}/conflicts",
        {"member_id": steering.pk, "item_id": meeting["agenda"][0]["id"], "note": "Jäv"},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["journey_id"] == journey.pk
    pdf = client_as(steering).get(f"/api/meetings/{meeting['id']}/minutes.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    needs_owner = client_as(people[Role.NEEDS_OWNER])
    assert needs_owner.get(f"/api/meetings/{meeting['id']}").status_code == 404
    assert needs_owner.get(f"/api/programmes/{programme.pk}/meetings").json() == []


# --- Demo ---------------------------------------------------------------------------------


def test_demo_gates_on_the_demo_programme(settings):
    from samskapa.core.demo import load_demo
    from samskapa.programmes.models import Programme

    load_demo()
    programme = Programme.objects.get(name="Den inkluderande staden")

    decisions = list(programme.gates.exclude(decision="").values_list("decision", flat=True))
    assert "go" in decisions and "iterate" in decisions
    assert any(gate.awaits_decision for gate in programme.gates.filter(decision=""))
    steering_meeting = programme.group_meetings.get(kind=GroupKind.STEERING_GROUP)
    assert steering_meeting.conflicts.exists() and steering_meeting.minutes
    assert steering_meeting.gate_decisions.count() == len(decisions)
    assert programme.group_meetings.filter(kind=GroupKind.NEEDS_OWNER).exists()


def test_demo_gates_without_journeys_do_no_harm(programme, operator):
    from samskapa.core.demo_journeys import add_gates

    add_gates(programme, operator)

    assert not programme.gates.exists()
    assert programme.group_meetings.count() == 2


def test_a_second_decision_in_the_page_is_refused_and_shows_the_first(
    client_as, programme, journey, operator, steering
):
    gate = _recommended(journey, operator)
    _decide(gate, steering, "go")
    client = client_as(steering)

    response = client.post(
        f"/journeys/gates/{gate.pk}/decision/",
        {
            "decision": "stop",
            "rationale": "Sent",
            "decided_on": TODAY,
            "members_present": [steering.pk],
        },
        follow=True,
    )

    assert "This gate was already decided" in response.content.decode()
    gate.refresh_from_db()
    journey.refresh_from_db()
    assert gate.decision == "go" and journey.status == JourneyStatus.ACTIVE
    stale = client_as(operator).post(
        f"/journeys/gates/{gate.pk}/recommendation/",
        {"recommendation": "stop", "recommendation_text": "x"},
        follow=True,
    )
    assert "a decided gate cannot change" in stale.content.decode()


def test_api_text_with_nul_characters_is_stored_without_them(
    client_as, programme, journey, operator
):
    gate = services.open_gate(journey, by=operator)

    response = client_as(operator).post(
        f"/api/gates/{gate.pk}/recommendation",
        {"recommendation": "go", "text": "Kla\x00rt"},
        content_type="application/json",
    )

    assert response.status_code == 200 and response.json()["recommendation_text"] == "Klart"


def test_programme_page_links_to_journeys_and_to_the_board_for_those_who_see_it(
    client_as, programme, people
):
    board = f'href="/journeys/programme/{programme.pk}/board/"'
    journeys = f'href="/journeys/programme/{programme.pk}/"'

    for role, sees_board in ((Role.STEERING_GROUP, True), (Role.INNOVATOR, False)):
        page = client_as(people[role]).get(f"/programmes/{programme.pk}/").content.decode()
        assert journeys in page
        assert (board in page) is sees_board


def test_editing_a_meeting_keeps_those_present_at_its_decisions(
    client_as, programme, journey, operator, steering
):
    other = factories.member(programme, Role.STEERING_GROUP)
    meeting = _meeting(programme, operator, [steering, other])
    _decide(_recommended(journey, operator), steering, meeting=meeting)
    client = client_as(operator)
    url = f"/journeys/meetings/{meeting.pk}/edit/"
    data = {
        "starts_at": "2026-05-04T13:00",
        "place": "Rum 4",
        "agenda-0-title": "Grindar",
        "agenda-0-id": meeting.items.get(title="Grindar").pk,
        "agenda-1-title": "Ny punkt",
        "minutes": "Justerat protokoll",
    }

    refused = client.post(url, data | {"attendees": [other.pk]})
    assert refused.status_code == 200
    assert "Recorded as present for a decision taken at this meeting" in refused.content.decode()

    assert client.post(url, data | {"attendees": [steering.pk]}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.place == "Rum 4" and meeting.minutes == "Justerat protokoll"
    assert [i.title for i in meeting.items.all()] == ["Grindar", "Ny punkt"]
    assert list(meeting.attendees.all()) == [steering]
    assert AuditEntry.objects.filter(action="journeys.meeting.updated").count() == 1


# --- Review fixes: decision date and conflicts, iterate at phase 2, meeting links, API --------


def test_the_decision_date_lies_between_the_gates_opening_and_today(journey, operator, steering):
    gate = _recommended(journey, operator)
    Gate.objects.filter(pk=gate.pk).update(opened_at=timezone.now() - timedelta(days=5))
    today = timezone.localdate()

    with pytest.raises(ValidationError, match="cannot be in the future"):
        _decide(gate, steering, decided_on=today + timedelta(days=1))
    with pytest.raises(ValidationError, match="before the gate was opened"):
        _decide(gate, steering, decided_on=today - timedelta(days=6))
    gate.refresh_from_db()
    assert not gate.is_decided

    _decide(gate, steering, decided_on=today - timedelta(days=5))
    gate.refresh_from_db()
    assert gate.decided_on == today - timedelta(days=5)


def test_conflicts_declared_at_any_meeting_count_without_naming_one(
    programme, journey, operator, steering
):
    other = factories.member(programme, Role.STEERING_GROUP, factories.person(full_name="Berit"))
    earlier = _meeting(programme, operator, [steering, other])
    services.declare_conflict(earlier, by=operator, member=other, journey=journey)
    gate = _recommended(journey, operator)

    # Present at a decision taken without a meeting
    with pytest.raises(ValidationError, match="Declared a conflict of interest"):
        _decide(gate, steering, members_present=[steering, other])
    # or at another meeting
    later = _meeting(programme, operator, [steering, other])
    with pytest.raises(ValidationError, match="Declared a conflict of interest"):
        _decide(gate, steering, members_present=[steering, other], meeting=later)
    # nor recording it
    with pytest.raises(ValidationError, match="You declared a conflict of interest"):
        services.decide(
            gate,
            by=other,
            decision="go",
            rationale="Motivering",
            decided_on=timezone.localdate(),
            members_present=[steering],
        )
    gate.refresh_from_db()
    assert not gate.is_decided

    _decide(gate, steering, members_present=[steering], meeting=later)


def test_a_conflict_about_an_agenda_item_counts_for_its_journey(
    programme, journey, operator, steering
):
    other = factories.member(programme, Role.STEERING_GROUP)
    meeting = services.create_meeting(
        programme,
        by=operator,
        kind=GroupKind.STEERING_GROUP,
        starts_at=timezone.now(),
        agenda=[("Grind", journey)],
        attendees=[steering, other],
    )
    services.declare_conflict(meeting, by=operator, member=other, item=meeting.items.get())
    gate = _recommended(journey, operator)

    with pytest.raises(ValidationError, match="Declared a conflict of interest"):
        _decide(gate, steering, members_present=[steering, other])


def test_iterate_never_goes_back_to_phase_one(client_as, journey, operator, steering):
    from samskapa.journeys.forms import DecisionForm

    gate = _recommended(journey, operator, "iterate")
    with pytest.raises(ValidationError, match="cannot go back to phase 1"):
        _decide(gate, steering, "iterate", target_phase=1)
    form = DecisionForm(
        gate=gate,
        members=services.steering_group(journey.programme),
        meetings=journey.programme.group_meetings.all(),
    )
    assert [value for value, _label in form.fields["target_phase"].choices] == ["", 2]
    api = client_as(steering).post(
        f"/api/gates/{gate.pk}/decision",
        {
            "decision": "iterate",
            "rationale": "Mer",
            "decided_on": TODAY,
            "members_present": [steering.pk],
            "target_phase": 1,
        },
        content_type="application/json",
    )
    assert api.status_code == 422 and "target_phase" in api.json()["errors"]

    _decide(gate, steering, "iterate")  # no target: phase 2 again

    journey.refresh_from_db()
    gate.refresh_from_db()
    assert journey.phase == 2 and gate.phase_after == 2


def test_a_refused_gate_opening_answers_422_and_a_successful_one_opens_a_gate(
    client_as, journey, operator
):
    client = client_as(operator)

    opened = client.post(f"/journeys/{journey.pk}/gates/")
    assert opened.status_code == 302 and journey.gates.count() == 1

    refused = client.post(f"/journeys/{journey.pk}/gates/")
    assert refused.status_code == 422
    assert "already has an open gate" in refused.content.decode()
    assert journey.gates.count() == 1


def test_the_meeting_of_a_decision_is_linked_only_for_those_who_may_see_it(
    client_as, programme, operator, steering, people
):
    journey = factories.environment(
        programme, by=operator, innovator=people[Role.INNOVATOR]
    ).journey
    meeting = _meeting(programme, operator, [steering])
    gate = _recommended(journey, operator)
    _decide(gate, steering, meeting=meeting)
    link = f'href="{meeting.get_absolute_url()}"'

    for who, linked in ((operator, True), (steering, True), (people[Role.INNOVATOR], False)):
        client = client_as(who)
        for url in (journey.get_absolute_url(), gate.get_absolute_url()):
            page = client.get(url).content.decode()
            assert (link in page) is linked, (who, url)
            assert str(meeting) in page
    assert client_as(people[Role.INNOVATOR]).get(meeting.get_absolute_url()).status_code == 404


def test_the_journey_page_costs_the_same_queries_with_more_decided_gates(
    client_as, programme, journey, operator, steering
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    meeting = _meeting(programme, operator, [steering])
    client = client_as(steering)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(journey.get_absolute_url()).status_code == 200
        return len(queries)

    _decide(_recommended(journey, operator, "iterate"), steering, "iterate", meeting=meeting)
    few = count()
    for _n in range(3):
        _decide(_recommended(journey, operator, "iterate"), steering, "iterate", meeting=meeting)
    assert count() == few


def test_api_adds_a_journey(client_as, programme, operator, people):
    innovator = people[Role.INNOVATOR]
    client = client_as(operator)
    url = f"/api/programmes/{programme.pk}/journeys"

    response = client.post(url, {"innovator_id": innovator.pk}, content_type="application/json")

    assert response.status_code == 201, response.content
    assert response.json()["phase"] == 2 and response.json()["innovator_id"] == innovator.pk
    again = client.post(url, {"innovator_id": innovator.pk}, content_type="application/json")
    assert again.status_code == 422 and "already has a journey" in str(again.json())
    stranger = factories.person()
    outside = client.post(url, {"innovator_id": stranger.pk}, content_type="application/json")
    assert outside.status_code == 422 and "not a member of the programme" in str(outside.json())
    assert programme.journeys.count() == 1
    assert AuditEntry.objects.filter(action="journeys.journey.created").count() == 1


def test_api_changes_a_meeting(client_as, programme, journey, operator, steering):
    other = factories.member(programme, Role.STEERING_GROUP)
    meeting = services.create_meeting(
        programme,
        by=operator,
        kind=GroupKind.STEERING_GROUP,
        starts_at=timezone.now(),
        place="Rum 1",
        agenda=[("Grind", journey), "Övrigt"],
        attendees=[steering],
    )
    gate_item, rest = meeting.items.all()
    services.declare_conflict(meeting, by=operator, member=steering, item=gate_item)
    client = client_as(operator)
    url = f"/api/meetings/{meeting.pk}"

    response = client.patch(
        url,
        {
            "minutes": "Protokoll",
            "attendees": [steering.pk, other.pk],
            "agenda": [
                {"title": "Nytt först"},
                {"id": gate_item.pk, "title": "Grindbeslut", "journey_id": journey.pk},
            ],
        },
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["minutes"] == "Protokoll" and body["place"] == "Rum 1"
    assert sorted(body["attendees"]) == sorted([steering.pk, other.pk])
    assert [(i["title"], i["journey_id"]) for i in body["agenda"]] == [
        ("Nytt först", None),
        ("Grindbeslut", journey.pk),
    ]
    assert body["agenda"][1]["id"] == gate_item.pk and not meeting.items.filter(pk=rest.pk)
    refused = client.patch(url, {"agenda": []}, content_type="application/json")
    assert refused.status_code == 422 and "stay on the agenda" in str(refused.json())
    unchanged = client.patch(url, {"place": "Rum 2"}, content_type="application/json").json()
    assert unchanged["agenda"] == body["agenda"] and unchanged["place"] == "Rum 2"
    assert client_as(steering).patch(url, {}, content_type="application/json").status_code == 403
