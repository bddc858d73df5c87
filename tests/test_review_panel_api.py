"""The review panel in the API: what a reviewer and the operators can do, with the pages'
permissions and the services' refusals (422, nothing stored)."""

import pytest

from samskapa.accounts.models import Role
from samskapa.calls.models import ConflictDeclaration, Review, Score
from tests import factories
from tests.test_reviews import _apply, _panel, _rubric, call  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def panel(call, operator, programme, people):  # noqa: F811
    criteria = _rubric(call, operator)
    reviewer = _panel(call, operator, programme, people=people)[0]
    return call, criteria, reviewer, _apply(call)


def _scores(criteria, *values):
    return {"scores": {str(c.pk): {"value": v} for c, v in zip(criteria, values, strict=True)}}


def test_a_reviewer_declares_then_scores_through_the_api(client_as, panel):
    open_call, criteria, reviewer, application = panel
    api = client_as(reviewer)
    assigned = api.get("/api/reviews/assigned").json()
    assert assigned == [
        {
            "application_id": application.pk,
            "call_id": open_call.pk,
            "call_title": open_call.title,
            "declared": False,
            "conflicted": False,
            "reviewed": False,
        }
    ]
    rubric = api.get(f"/api/calls/{open_call.pk}/criteria").json()
    assert [(c["name"], c["scale_max"]) for c in rubric] == [("Nytta", 5), ("Genomförbarhet", 10)]

    # Scoring before declaring is refused with the reason
    early = api.post(
        f"/api/applications/{application.pk}/reviews", _scores(criteria, 4, 8), "application/json"
    )
    assert early.status_code == 422
    assert "conflict of interest" in str(early.json()["errors"])

    declared = api.post(
        f"/api/applications/{application.pk}/conflict-declaration",
        {"conflicted": False},
        "application/json",
    )
    assert declared.status_code == 201
    # A score outside the scale stores nothing, and says which criterion
    outside = api.post(
        f"/api/applications/{application.pk}/reviews", _scores(criteria, 4, 11), "application/json"
    )
    assert outside.status_code == 422
    assert f"c_{criteria[1].pk}" in outside.json()["errors"]
    assert not Review.objects.exists() and not Score.objects.exists()

    scored = api.post(
        f"/api/applications/{application.pk}/reviews", _scores(criteria, 4, 8), "application/json"
    )
    assert scored.status_code == 201
    again = api.post(
        f"/api/applications/{application.pk}/reviews", _scores(criteria, 5, 9), "application/json"
    )
    assert again.status_code == 422  # one review per reviewer
    assert Review.objects.get().scores.count() == 2
    assert api.get("/api/reviews/assigned").json()[0]["reviewed"] is True


def test_a_conflicted_reviewer_cannot_score(client_as, panel):
    _call, criteria, reviewer, application = panel
    api = client_as(reviewer)
    api.post(
        f"/api/applications/{application.pk}/conflict-declaration",
        {"conflicted": True, "note": "Min granne"},
        "application/json",
    )
    assert ConflictDeclaration.objects.get().conflicted
    refused = api.post(
        f"/api/applications/{application.pk}/reviews", _scores(criteria, 4, 8), "application/json"
    )
    assert refused.status_code == 422
    assert not Review.objects.exists()


def test_applications_not_given_to_the_caller_answer_404(client_as, panel, programme, people):
    _call, _criteria, _reviewer, application = panel
    other_reviewer = factories.member(programme, Role.REVIEWER)  # in the programme, not on panel
    for person in (other_reviewer, people["outsider"], people[Role.STEERING_GROUP]):
        answer = client_as(person).post(
            f"/api/applications/{application.pk}/conflict-declaration",
            {"conflicted": False},
            "application/json",
        )
        assert answer.status_code == 404
    assert not ConflictDeclaration.objects.exists()


def test_the_operator_reads_the_summary_shortlists_and_decides(client_as, panel, operator, people):
    open_call, criteria, reviewer, application = panel
    reviewing = client_as(reviewer)
    reviewing.post(
        f"/api/applications/{application.pk}/conflict-declaration",
        {"conflicted": False},
        "application/json",
    )
    reviewing.post(
        f"/api/applications/{application.pk}/reviews", _scores(criteria, 5, 10), "application/json"
    )
    api = client_as(operator)
    [row] = api.get(f"/api/calls/{open_call.pk}/review-summary").json()
    assert (row["reviews"], row["mean"], row["spread"]) == (1, 100.0, 0.0)
    assert row["applicant_name"] == "Anna Andersson"

    assert api.post(
        f"/api/applications/{application.pk}/shortlist", {"shortlisted": True}, "application/json"
    ).json()["shortlisted"]
    missing = api.post(
        f"/api/applications/{application.pk}/decision",
        {"decision": "selected", "rationale": " "},
        "application/json",
    )
    assert missing.status_code == 422 and "decision_rationale" in missing.json()["errors"]
    decided = api.post(
        f"/api/applications/{application.pk}/decision",
        {"decision": "selected", "rationale": "Bäst enligt panelen"},
        "application/json",
    ).json()
    assert decided["decision"] == "selected" and decided["decided_at"]

    # Other members of the programme may not; people outside it do not see the call at all
    steering = client_as(people[Role.STEERING_GROUP])
    assert steering.get(f"/api/calls/{open_call.pk}/review-summary").status_code == 403
    outsider = client_as(people["outsider"])
    assert outsider.get(f"/api/calls/{open_call.pk}/review-summary").status_code in (403, 404)
    shortlisting = steering.post(
        f"/api/applications/{application.pk}/shortlist", {"shortlisted": False}, "application/json"
    )
    assert shortlisting.status_code == 404
