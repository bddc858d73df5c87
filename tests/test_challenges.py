import pytest
from django.core import mail

from samskapa.accounts.models import Membership, Role
from samskapa.audit.models import AuditEntry
from samskapa.challenges.models import Challenge, ChallengeStatus
from tests import factories

pytestmark = pytest.mark.django_db

FORM = {
    "title": "Ofrivillig ensamhet bland äldre",
    "need": "Många äldre i Älvstad känner sig ensamma.",
    "target_group": "Äldre som bor hemma",
    "desired_effects": "Fler meningsfulla möten",
    "budget_min": "100000",
    "budget_max": "300000",
    "themes": "ensamhet, äldre",
    "strategy_documents": "Strategi för den inkluderande staden | https://example.se/strategi.pdf",
}


@pytest.fixture
def department(programme):
    department = factories.department(name="Vård- och omsorgsförvaltningen")
    programme.needs_owners.add(department)
    return department


@pytest.fixture
def owner(programme, department):
    """The needs owner who acts for `department` in `programme`."""
    return factories.member(programme, Role.NEEDS_OWNER, department_=department)


def _draft(client_as, programme, owner, department, **overrides):
    response = client_as(owner).post(
        f"/programmes/{programme.pk}/challenges/new/",
        {**FORM, "department": department.pk, **overrides},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Challenge.objects.get(title=overrides.get("title", FORM["title"]))


def _step(client, challenge, name, note=""):
    return client.post(f"/challenges/{challenge.pk}/steps/{name}/", {"note": note}, follow=True)


def test_needs_owner_drafts_a_challenge_for_their_department(
    client_as, programme, owner, department
):
    challenge = _draft(client_as, programme, owner, department)
    assert challenge.status == ChallengeStatus.DRAFT
    assert sorted(t.name for t in challenge.tags.all()) == ["ensamhet", "äldre"]
    assert [(d.title, d.url) for d in challenge.strategy_documents.all()] == [
        ("Strategi för den inkluderande staden", "https://example.se/strategi.pdf")
    ]
    assert AuditEntry.objects.filter(
        action="challenges.challenge.created", object_id=str(challenge.pk)
    ).exists()


def test_a_needs_owner_cannot_draft_for_another_department(client_as, programme, owner):
    other = factories.department(name="Socialförvaltningen")
    programme.needs_owners.add(other)
    response = client_as(owner).post(
        f"/programmes/{programme.pk}/challenges/new/", {**FORM, "department": other.pk}
    )
    assert "Select a valid choice" in response.content.decode()
    assert not Challenge.objects.exists()


def test_bad_input_is_refused_and_nothing_saved(client_as, programme, owner, department):
    client = client_as(owner)
    url = f"/programmes/{programme.pk}/challenges/new/"
    page = client.post(
        url, {**FORM, "department": department.pk, "budget_min": "500", "budget_max": "100"}
    )
    assert "The budget&#x27;s upper end cannot be below its lower end." in page.content.decode()
    page = client.post(
        url, {**FORM, "department": department.pk, "strategy_documents": "Bara en titel"}
    )
    assert "Line 1: write the title, a vertical bar and a link" in page.content.decode()
    assert not Challenge.objects.exists()


def test_the_whole_workflow_with_decisions_notifications_and_versions(
    client_as, programme, people, owner, department, django_capture_on_commit_callbacks
):
    challenge = _draft(client_as, programme, owner, department)
    reviewer = factories.member(programme, Role.NEEDS_OWNER)  # another department's needs owner
    mail.outbox.clear()

    # The needs owner sends it for review: the needs-owner group and the operators hear of it
    with django_capture_on_commit_callbacks(execute=True):
        _step(client_as(owner), challenge, "submit", "Klar för granskning")
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.IN_REVIEW
    recipients = {m.to[0] for m in mail.outbox}
    assert {reviewer.email, people[Role.OPERATOR].email} <= recipients
    assert owner.email not in recipients  # not told of their own step
    assert people[Role.OBSERVER].email not in recipients

    # The needs-owner group comments; the steering group approves; the operator publishes
    client_as(reviewer).post(
        f"/challenges/{challenge.pk}/comments/", {"text": "Förtydliga målgruppen."}
    )
    _step(client_as(people[Role.STEERING_GROUP]), challenge, "approve", "Beslut i styrgruppen 3/12")
    _step(client_as(people[Role.OPERATOR]), challenge, "publish")
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.PUBLISHED and challenge.published_at
    assert [v.number for v in challenge.versions.all()] == [1]
    page = client_as(owner).get(f"/challenges/{challenge.pk}/").content.decode()
    assert "Förtydliga målgruppen." in page and "Beslut i styrgruppen 3/12" in page

    # Changing the published challenge keeps what the public saw as version 1
    data = {
        **FORM,
        "department": department.pk,
        "title": "Ofrivillig ensamhet bland äldre i Älvstad",
    }
    client_as(owner).post(f"/challenges/{challenge.pk}/edit/", data)
    challenge.refresh_from_db()
    versions = list(challenge.versions.order_by("number"))
    assert [v.content["title"] for v in versions] == [FORM["title"], data["title"]]
    old = client_as(people[Role.INNOVATOR]).get(f"/challenges/{challenge.pk}/versions/1/")
    assert FORM["title"] in old.content.decode()
    actions = set(
        AuditEntry.objects.filter(object_id=str(challenge.pk)).values_list("action", flat=True)
    )
    assert {
        "challenges.challenge.submit",
        "challenges.challenge.approve",
        "challenges.challenge.publish",
        "challenges.challenge.commented",
        "challenges.challenge.updated",
    } <= actions


def test_steps_out_of_order_or_by_the_wrong_role_are_refused(
    client_as, programme, people, owner, department
):
    challenge = _draft(client_as, programme, owner, department)
    # The operator may publish, but not a draft
    page = _step(client_as(people[Role.OPERATOR]), challenge, "publish").content.decode()
    assert "This step is not possible while the challenge is" in page
    # Only the steering group approves
    _step(client_as(owner), challenge, "submit")
    assert _step(client_as(owner), challenge, "approve").status_code == 403
    assert _step(client_as(people[Role.OPERATOR]), challenge, "approve").status_code == 403
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.IN_REVIEW


def test_sent_back_challenges_return_to_draft(client_as, programme, people, owner, department):
    challenge = _draft(client_as, programme, owner, department)
    _step(client_as(owner), challenge, "submit")
    _step(client_as(people[Role.STEERING_GROUP]), challenge, "send_back", "Saknar budget")
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.DRAFT


def test_drafts_are_hidden_from_innovators_and_observers(
    client_as, programme, people, owner, department
):
    challenge = _draft(client_as, programme, owner, department)
    for role in (Role.INNOVATOR, Role.OBSERVER, Role.REVIEWER):
        assert client_as(people[role]).get(f"/challenges/{challenge.pk}/").status_code == 404
        listing = (
            client_as(people[role]).get(f"/programmes/{programme.pk}/challenges/").content.decode()
        )
        assert challenge.title not in listing
    assert (
        client_as(people[Role.STEERING_GROUP]).get(f"/challenges/{challenge.pk}/").status_code
        == 200
    )


def test_another_departments_needs_owner_may_comment_but_not_edit(
    client_as, programme, owner, department
):
    challenge = _draft(client_as, programme, owner, department)
    other_owner = factories.member(programme, Role.NEEDS_OWNER)
    client = client_as(other_owner)
    assert client.get(f"/challenges/{challenge.pk}/edit/").status_code == 403
    assert _step(client, challenge, "submit").status_code == 403
    client.post(f"/challenges/{challenge.pk}/comments/", {"text": "Bra!"})
    assert challenge.events.filter(text="Bra!").exists()


def test_challenges_of_other_programmes_answer_404(client_as, programme, owner, department):
    challenge = _draft(client_as, programme, owner, department)
    stranger = factories.member(factories.programme(), Role.OPERATOR)
    assert client_as(stranger).get(f"/challenges/{challenge.pk}/").status_code == 404
    assert _step(client_as(stranger), challenge, "publish").status_code == 404
    assert Membership.objects.filter(user=stranger).count() == 1


def test_the_api_lists_what_each_role_may_see(client_as, programme, people, owner, department):
    draft = _draft(client_as, programme, owner, department)
    published = _draft(client_as, programme, owner, department, title="Ungdomens hus")
    Challenge.objects.filter(pk=published.pk).update(status=ChallengeStatus.PUBLISHED)
    url = f"/api/programmes/{programme.pk}/challenges"
    as_owner = client_as(owner).get(url).json()["items"]
    as_innovator = client_as(people[Role.INNOVATOR]).get(url).json()["items"]
    assert {c["title"] for c in as_owner} == {draft.title, published.title}
    assert [c["title"] for c in as_innovator] == [published.title]
    assert set(as_innovator[0]["themes"]) == {"ensamhet", "äldre"}


def test_a_published_challenge_is_found_by_searching_in_swedish(
    client_as, programme, people, owner, department
):
    challenge = _draft(client_as, programme, owner, department)
    for name, who in (
        ("submit", owner),
        ("approve", people[Role.STEERING_GROUP]),
        ("publish", people[Role.OPERATOR]),
    ):
        _step(client_as(who), challenge, name)
    page = client_as(None).get("/portal/", {"q": "ensamheten"}).content.decode()
    assert challenge.title in page
    # A change made after publication is what the search finds
    data = {
        **FORM,
        "department": department.pk,
        "title": "Meningsfulla möten för äldre",
        "need": "Möten",
    }
    client_as(owner).post(f"/challenges/{challenge.pk}/edit/", data)
    assert (
        "Meningsfulla möten för äldre"
        in client_as(None).get("/portal/", {"q": "möte"}).content.decode()
    )
