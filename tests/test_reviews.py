"""The review panel of a call: rubric, reviewers and their spread, conflicts, scores, the
operators' summary, shortlist and decision."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from samskapa.accounts import permissions
from samskapa.accounts.models import Role
from samskapa.audit.models import AuditEntry
from samskapa.calls import services
from samskapa.calls.models import Application, Criterion, Review, ReviewAllocation, Score
from samskapa.challenges.models import Challenge, ChallengeStatus
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(programme, operator, people):
    department = programme.memberships.get(
        user=people[Role.NEEDS_OWNER], role=Role.NEEDS_OWNER
    ).department
    programme.needs_owners.add(department)
    challenge = Challenge.objects.create(
        programme=programme,
        department=department,
        title="Ensamhet",
        need="n",
        target_group="t",
        desired_effects="d",
        status=ChallengeStatus.PUBLISHED,
    )
    now = timezone.now()
    return services.create_call(
        programme,
        by=operator,
        title="Utlysning",
        eligibility="Alla",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=7),
        challenges=[challenge],
    )


def _apply(call, name="Anna Andersson"):
    applicant = factories.person(full_name=name)
    application = services.save_draft(
        services.application_for(call, applicant),
        by=applicant,
        answers={},
        innovator_type="student",
    )
    return services.submit_application(application, by=applicant)


def _rubric(call, operator):
    return [
        services.add_criterion(call, by=operator, name="Nytta", weight=Decimal(2), scale_max=5),
        services.add_criterion(call, by=operator, name="Genomförbarhet", weight=1, scale_max=10),
    ]


def _panel(call, operator, programme, n=1, people=None):
    reviewers = [people[Role.REVIEWER]] if people else []
    while len(reviewers) < n:
        reviewers.append(factories.member(programme, Role.REVIEWER))
    for reviewer in reviewers:
        services.assign_reviewer(call, reviewer, by=operator)
    return reviewers


def _scores(criteria, *values):
    return {c.pk: {"value": v, "comment": ""} for c, v in zip(criteria, values, strict=True)}


# --- Rubric and panel ---


def test_operator_builds_a_rubric_audited_and_validated(call, operator, people):
    nytta, _ = _rubric(call, operator)
    assert [c.name for c in call.criteria.all()] == ["Nytta", "Genomförbarhet"]
    assert AuditEntry.objects.filter(action="calls.criterion.added").count() == 2
    with pytest.raises(ValidationError) as error:
        services.add_criterion(call, by=operator, name="Noll", weight=0, scale_max=1)
    assert "weight" in error.value.message_dict and "scale_max" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.add_criterion(call, by=people[Role.REVIEWER], name="X")


def test_only_the_programmes_reviewers_join_the_panel_and_are_told(call, operator, people):
    with pytest.raises(ValidationError, match="Only the programme's reviewers"):
        services.assign_reviewer(call, people[Role.OBSERVER], by=operator)
    with pytest.raises(ValidationError, match="Only the programme's reviewers"):
        services.assign_reviewer(call, factories.person(), by=operator)
    mail.outbox.clear()
    with pytest.raises(PermissionDenied):
        services.assign_reviewer(call, people[Role.REVIEWER], by=people[Role.STEERING_GROUP])
    services.assign_reviewer(call, people[Role.REVIEWER], by=operator)
    with pytest.raises(ValidationError, match="already on the panel"):
        services.assign_reviewer(call, people[Role.REVIEWER], by=operator)
    assert AuditEntry.objects.filter(action="calls.reviewer.assigned").count() == 1


def test_assignment_emails_the_reviewer_on_commit(
    call, operator, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.assign_reviewer(call, people[Role.REVIEWER], by=operator)
    assert [m.to for m in mail.outbox] == [[people[Role.REVIEWER].email]]
    assert "Utlysning" in mail.outbox[0].subject


def test_spread_is_even_repeatable_for_a_seed_and_audited(call, operator, programme, people):
    applications = [_apply(call, f"Person {i}") for i in range(7)]
    reviewers = _panel(call, operator, programme, n=4, people=people)
    seed = services.spread_reviewers(call, per_application=2, seed=42, by=operator)
    assert seed == 42
    first = sorted(ReviewAllocation.objects.values_list("application_id", "reviewer_id"))
    for application in applications:
        assert application.allocations.count() == 2
    loads = [ReviewAllocation.objects.filter(reviewer=r).count() for r in reviewers]
    assert sum(loads) == 14 and max(loads) - min(loads) <= 1
    services.spread_reviewers(call, per_application=2, seed=42, by=operator)
    assert sorted(ReviewAllocation.objects.values_list("application_id", "reviewer_id")) == first
    call.refresh_from_db()
    assert (call.reviewers_per_application, call.spread_seed) == (2, 42)
    entry = AuditEntry.objects.filter(action="calls.reviewers.spread").order_by("pk").first()
    assert entry.changes["seed"] == [None, 42]
    # Without a seed one is drawn, stored and shown.
    drawn = services.spread_reviewers(call, per_application=1, by=operator)
    call.refresh_from_db()
    assert call.spread_seed == drawn
    with pytest.raises(ValidationError, match="from 1 to 4"):
        services.spread_reviewers(call, per_application=5, seed=1, by=operator)


def test_spread_gives_reviewers_only_their_share(call, operator, programme, people):
    applications = [_apply(call, f"Person {i}") for i in range(4)]
    first, second = _panel(call, operator, programme, n=2, people=people)
    # Before a spread, the whole panel gets every submitted application.
    assert set(permissions.reviewable_applications(first)) == set(applications)
    services.spread_reviewers(call, per_application=1, seed=7, by=operator)
    mine = set(permissions.reviewable_applications(first))
    theirs = set(permissions.reviewable_applications(second))
    assert len(mine) == len(theirs) == 2 and mine | theirs == set(applications)


# --- Conflicts and visibility ---


def test_a_reviewer_reads_an_application_only_after_declaring_no_conflict(
    call, operator, programme, people
):
    application = _apply(call)
    reviewer = people[Role.REVIEWER]
    visible = Application.objects.visible_to
    assert application not in visible(reviewer)  # not on the panel
    _panel(call, operator, programme, people=people)
    assert application not in visible(reviewer)  # not declared yet
    services.declare_conflict(application, by=reviewer, conflicted=False)
    assert application in visible(reviewer)
    with pytest.raises(ValidationError, match="already declared"):
        services.declare_conflict(application, by=reviewer, conflicted=True)


def test_a_conflicted_reviewer_neither_sees_nor_scores(call, operator, programme, people):
    application = _apply(call)
    criteria = _rubric(call, operator)
    reviewer = _panel(call, operator, programme, people=people)[0]
    services.declare_conflict(application, by=reviewer, conflicted=True, note="Min kusin")
    assert application not in Application.objects.visible_to(reviewer)
    with pytest.raises(ValidationError, match="conflict of interest"):
        services.submit_review(application, by=reviewer, scores=_scores(criteria, 3, 7))
    assert not Review.objects.exists()
    entry = AuditEntry.objects.get(action="calls.conflict.declared")
    assert entry.changes["conflicted"] == [None, True]


def test_scoring_needs_a_declaration_first(call, operator, programme, people):
    application = _apply(call)
    criteria = _rubric(call, operator)
    reviewer = _panel(call, operator, programme, people=people)[0]
    with pytest.raises(ValidationError, match="Declare whether"):
        services.submit_review(application, by=reviewer, scores=_scores(criteria, 3, 7))


def test_others_may_not_declare_or_score(call, operator, programme, people):
    application = _apply(call)
    _panel(call, operator, programme, people=people)
    other_reviewer = factories.member(programme, Role.REVIEWER)  # not on the panel
    for person in (other_reviewer, operator, people[Role.NEEDS_OWNER], people["outsider"]):
        with pytest.raises(PermissionDenied):
            services.declare_conflict(application, by=person, conflicted=False)


# --- Scoring ---


def test_a_review_scores_every_criterion_once(call, operator, programme, people):
    application = _apply(call)
    criteria = _rubric(call, operator)
    reviewer = _panel(call, operator, programme, people=people)[0]
    services.declare_conflict(application, by=reviewer, conflicted=False)
    for bad, field in (((6, 7), f"c_{criteria[0].pk}"), ((0, 7), f"c_{criteria[0].pk}")):
        with pytest.raises(ValidationError) as error:
            services.submit_review(application, by=reviewer, scores=_scores(criteria, *bad))
        assert error.value.message_dict[field] == ["Give a score from 1 to 5."]
    with pytest.raises(ValidationError) as error:
        services.submit_review(application, by=reviewer, scores={criteria[0].pk: {"value": 3}})
    assert error.value.message_dict[f"c_{criteria[1].pk}"] == ["Score this criterion."]
    assert not Review.objects.exists() and not Score.objects.exists()  # nothing half-saved
    scores = _scores(criteria, 4, 10)
    scores[criteria[0].pk]["comment"] = "Tydlig nytta."
    review = services.submit_review(application, by=reviewer, scores=scores)
    assert sorted(review.scores.values_list("value", flat=True)) == [4, 10]
    with pytest.raises(ValidationError, match="already reviewed"):
        services.submit_review(application, by=reviewer, scores=_scores(criteria, 1, 1))
    assert Review.objects.count() == 1
    assert AuditEntry.objects.filter(action="calls.review.submitted").count() == 1
    # Once reviews have begun the rubric and the spread stay as they are.
    with pytest.raises(ValidationError, match="rubric can no longer change"):
        services.add_criterion(call, by=operator, name="Ny")
    with pytest.raises(ValidationError, match="no longer be spread"):
        services.spread_reviewers(call, per_application=1, seed=1, by=operator)


# --- Summary, shortlist, decision ---


def _reviewed(application, reviewer, criteria, *values):
    services.declare_conflict(application, by=reviewer, conflicted=False)
    services.submit_review(application, by=reviewer, scores=_scores(criteria, *values))


def test_summary_gives_weighted_means_spread_and_disagreement(call, operator, programme, people):
    agreed, disputed, unreviewed = _apply(call, "A"), _apply(call, "B"), _apply(call, "C")
    criteria = _rubric(call, operator)  # weights 2 (of 5) and 1 (of 10)
    first, second = _panel(call, operator, programme, n=2, people=people)
    _reviewed(agreed, first, criteria, 5, 10)  # 100
    _reviewed(agreed, second, criteria, 4, 10)  # (2·0.8 + 1·1)/3 = 86.7
    _reviewed(disputed, first, criteria, 5, 10)  # 100
    _reviewed(disputed, second, criteria, 1, 1)  # (2·0.2 + 0.1)/3 = 16.7
    rows = {row["application"].pk: row for row in services.review_summary(call)}
    assert rows[agreed.pk]["reviews"] == 2
    assert rows[agreed.pk]["mean"] == 93.3 and rows[agreed.pk]["spread"] == 13.3
    assert not rows[agreed.pk]["disagreement"]
    assert rows[disputed.pk]["spread"] == 83.3 and rows[disputed.pk]["disagreement"]
    assert rows[unreviewed.pk]["reviews"] == 0 and rows[unreviewed.pk]["mean"] is None


def test_shortlist_and_decision_are_audited_and_operator_only(call, operator, people):
    application = _apply(call)
    with pytest.raises(PermissionDenied):
        services.set_shortlisted(application, by=people[Role.REVIEWER], shortlisted=True)
    services.set_shortlisted(application, by=operator, shortlisted=True)
    assert Application.objects.get(pk=application.pk).shortlisted
    with pytest.raises(ValidationError) as error:
        services.decide(application, by=operator, decision="selected", rationale=" ")
    assert "decision_rationale" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.decide(application, by=operator, decision="maybe", rationale="x")
    assert "decision" in error.value.message_dict
    services.decide(application, by=operator, decision="selected", rationale="Starkast nytta.")
    application.refresh_from_db()
    assert application.decision == "selected" and application.decided_at
    assert AuditEntry.objects.filter(action="calls.application.shortlisted").exists()
    entry = AuditEntry.objects.get(action="calls.application.decided")
    assert entry.changes["decision"] == [None, "Selected"]
    with pytest.raises(PermissionDenied):
        services.decide(
            application, by=people[Role.NEEDS_OWNER], decision="selected", rationale="x"
        )


# --- Pages ---


def test_operator_sets_up_the_panel_through_the_page(client_as, call, operator, people):
    client = client_as(operator)
    page = client.get(f"/calls/{call.pk}/")
    assert f"/calls/{call.pk}/review-panel/" in page.content.decode()
    response = client.post(
        f"/calls/{call.pk}/review-panel/",
        {
            "form": "criterion",
            "criterion-name": "Nytta",
            "criterion-weight": "0",
            "criterion-scale_max": "5",
        },
    )
    assert response.status_code == 200 and not Criterion.objects.exists()
    response = client.post(
        f"/calls/{call.pk}/review-panel/",
        {
            "form": "criterion",
            "criterion-name": "Nytta",
            "criterion-weight": "1.5",
            "criterion-scale_max": "5",
        },
    )
    assert response.status_code == 302
    response = client.post(
        f"/calls/{call.pk}/review-panel/",
        {"form": "reviewer", "reviewer": people[Role.REVIEWER].pk},
    )
    assert response.status_code == 302
    _apply(call)
    response = client.post(
        f"/calls/{call.pk}/review-panel/", {"form": "spread", "per_application": "3", "seed": "9"}
    )
    assert "Choose from 1 to 1 reviewers" in response.content.decode()
    response = client.post(
        f"/calls/{call.pk}/review-panel/", {"form": "spread", "per_application": "1", "seed": "9"}
    )
    assert response.status_code == 302
    page = client.get(f"/calls/{call.pk}/review-panel/").content.decode()
    assert "Nytta" in page and "with the seed 9" in page


def test_reviewer_declares_and_scores_through_the_pages_blind(
    client_as, call, operator, programme, people
):
    call = services.update_call(call, by=operator, blind_review=True)
    application = _apply(call, "Hemlig Sökande")
    criteria = _rubric(call, operator)
    reviewer = _panel(call, operator, programme, people=people)[0]
    client = client_as(reviewer)
    page = client.get("/calls/reviews/").content.decode()
    assert f"/calls/reviews/{application.pk}/declare/" in page and "Hemlig" not in page
    assert client.get(f"/calls/reviews/{application.pk}/score/").status_code == 404
    assert client.get(f"/calls/applications/{application.pk}/").status_code == 404
    response = client.post(f"/calls/reviews/{application.pk}/declare/", {"conflicted": "no"})
    assert response["Location"] == f"/calls/reviews/{application.pk}/score/"
    page = client.get(f"/calls/reviews/{application.pk}/score/").content.decode()
    assert "Hemlig" not in page and "Nytta" in page
    assert "Hemlig" not in client.get(f"/calls/applications/{application.pk}/").content.decode()
    response = client.post(
        f"/calls/reviews/{application.pk}/score/",
        {f"c_{criteria[0].pk}": "9", f"c_{criteria[1].pk}": "3"},
    )
    assert "Give a score from 1 to 5." in response.content.decode()
    response = client.post(
        f"/calls/reviews/{application.pk}/score/",
        {f"c_{criteria[0].pk}": "4", f"c_{criteria[1].pk}": "3", f"comment_{criteria[1].pk}": "Ok"},
    )
    assert response.status_code == 302 and Review.objects.count() == 1
    assert "Reviewed" in client.get("/calls/reviews/").content.decode()


def test_a_conflicted_reviewer_gets_404_on_the_score_page(
    client_as, call, operator, programme, people
):
    application = _apply(call)
    reviewer = _panel(call, operator, programme, people=people)[0]
    client = client_as(reviewer)
    client.post(f"/calls/reviews/{application.pk}/declare/", {"conflicted": "yes", "note": "Vän"})
    assert client.get(f"/calls/reviews/{application.pk}/score/").status_code == 404
    assert "Conflict of interest declared" in client.get("/calls/reviews/").content.decode()


def test_operator_shortlists_and_decides_through_the_pages(client_as, call, operator, people):
    application = _apply(call, "Anna Andersson")
    client = client_as(operator)
    page = client.get(f"/calls/{call.pk}/reviews/").content.decode()
    assert "Anna Andersson" in page and "Spread (max − min)" in page
    client.post(f"/calls/applications/{application.pk}/shortlist/", {"shortlisted": "1"})
    assert Application.objects.get(pk=application.pk).shortlisted
    response = client.post(
        f"/calls/applications/{application.pk}/decision/", {"decision": "selected"}
    )
    assert response.status_code == 200 and not Application.objects.get(pk=application.pk).decision
    response = client.post(
        f"/calls/applications/{application.pk}/decision/",
        {"decision": "not_selected", "decision_rationale": "Svag koppling."},
    )
    assert response.status_code == 302
    assert Application.objects.get(pk=application.pk).decision == "not_selected"
    assert "Not selected" in client.get(f"/calls/{call.pk}/reviews/").content.decode()


def test_operator_reads_each_review_on_the_application_page(
    client_as, call, operator, programme, people
):
    application = _apply(call)
    criteria = _rubric(call, operator)
    reviewer = _panel(call, operator, programme, people=people)[0]
    services.declare_conflict(application, by=reviewer, conflicted=False)
    scores = _scores(criteria, 4, 8)
    scores[criteria[0].pk]["comment"] = "Tydlig nytta."
    services.submit_review(application, by=reviewer, scores=scores)
    page = client_as(operator).get(f"/calls/applications/{application.pk}/").content.decode()
    assert "Nytta: 4/5 – Tydlig nytta." in page
    # The reviewer reads the application, but not the panel's reviews.
    page = client_as(reviewer).get(f"/calls/applications/{application.pk}/").content.decode()
    assert "Tydlig nytta." not in page


def test_summary_page_queries_do_not_grow_with_applications(
    client_as, call, operator, programme, people
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    criteria = _rubric(call, operator)
    reviewer = _panel(call, operator, programme, people=people)[0]
    client = client_as(operator)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/calls/{call.pk}/reviews/").status_code == 200
        return len(queries)

    for i in range(2):
        _reviewed(_apply(call, f"A{i}"), reviewer, criteria, 3, 5)
    few = count()
    for i in range(6):
        _reviewed(_apply(call, f"B{i}"), reviewer, criteria, 3, 5)
    assert count() == few


def test_panel_page_warns_of_applications_submitted_after_the_spread(
    client_as, call, operator, programme, people
):
    _apply(call, "Tidig")
    _panel(call, operator, programme, people=people)
    services.spread_reviewers(call, per_application=1, seed=3, by=operator)
    client = client_as(operator)
    assert "after the spread" not in client.get(f"/calls/{call.pk}/review-panel/").content.decode()
    late = _apply(call, "Sen")
    page = client.get(f"/calls/{call.pk}/review-panel/").content.decode()
    assert "1 application was submitted after the spread" in page
    assert late not in permissions.reviewable_applications(people[Role.REVIEWER])


def test_the_main_navigation_links_reviewers_to_their_reviews(client_as, people):
    reviewer_page = client_as(people[Role.REVIEWER]).get("/calls/mine/").content.decode()
    assert 'href="/calls/reviews/"' in reviewer_page
    innovator_page = client_as(people[Role.INNOVATOR]).get("/calls/mine/").content.decode()
    assert 'href="/calls/reviews/"' not in innovator_page


def test_shortlisting_and_deciding_keep_the_funnel_as_it_was(call, operator):
    from samskapa.recruitment.models import FunnelSnapshot

    application = _apply(call)
    services.set_shortlisted(application, by=operator, shortlisted=True)
    services.decide(application, by=operator, decision="selected", rationale="Stark idé")
    snapshots = list(FunnelSnapshot.objects.filter(call=call).order_by("pk"))
    assert [s.reason for s in snapshots] == ["shortlisted", "decision"]
    assert snapshots[0].figures["totals"]["shortlisted"] == 1
    assert snapshots[0].figures["totals"]["selected"] == 0
    assert snapshots[1].figures["totals"]["selected"] == 1
    assert snapshots[1].by == operator


def test_a_blind_reviewer_sees_the_ideas_name_not_the_applicant_before_declaring(
    client_as, call, operator, programme, people
):
    call.blind_review = True
    call.save(update_fields=["blind_review"])
    services.set_questions(
        call,
        [
            {"id": None, "kind": "short_text", "label": "Kontaktperson", "required": True},
            {
                "id": None,
                "kind": "short_text",
                "label": "Vad heter idén?",
                "required": True,
                "before_declaring": True,
            },
        ],
        by=operator,
    )
    contact, idea = call.questions.order_by("position")
    applicant = factories.person(full_name="Anna Andersson")
    draft = services.save_draft(
        services.application_for(call, applicant),
        by=applicant,
        answers={str(contact.pk): "Anna Andersson, 070-123 45 67", str(idea.pk): "Generationsfika"},
        innovator_type="student",
    )
    application = services.submit_application(draft, by=applicant)
    reviewer = _panel(call, operator, programme, people=people)[0]
    page = client_as(reviewer).get(f"/calls/reviews/{application.pk}/declare/").content.decode()
    assert "Generationsfika" in page
    assert "Anna Andersson" not in page
