from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from samskapa.accounts.models import Role
from samskapa.audit.models import AuditEntry
from samskapa.calls import services
from samskapa.calls.models import Application, ApplicationStatus, Call, QuestionKind
from samskapa.challenges.models import Challenge, ChallengeStatus
from tests import factories

pytestmark = pytest.mark.django_db


def _challenge(
    programme, department, title="Ensamhet bland äldre", status=ChallengeStatus.PUBLISHED
):
    programme.needs_owners.add(department)
    return Challenge.objects.create(
        programme=programme,
        department=department,
        title=title,
        need="n",
        target_group="t",
        desired_effects="d",
        status=status,
    )


@pytest.fixture
def department(programme, people):
    return programme.memberships.get(
        user=people[Role.NEEDS_OWNER], role=Role.NEEDS_OWNER
    ).department


@pytest.fixture
def challenge(programme, department):
    return _challenge(programme, department)


def _call(programme, operator, challenges, *, opens=-1, closes=7, questions=True):
    now = timezone.now()
    call = services.create_call(
        programme,
        by=operator,
        title="Utlysning: Den inkluderande staden",
        eligibility="Sociala innovatörer i Älvstad.",
        opens_at=now + timedelta(days=opens),
        closes_at=now + timedelta(days=closes),
        challenges=challenges,
    )
    if questions:
        services.set_questions(
            call,
            [
                {
                    "kind": QuestionKind.SHORT_TEXT,
                    "label": "Idéns namn",
                    "required": True,
                    "max_length": 50,
                },
                {"kind": QuestionKind.LONG_TEXT, "label": "Beskriv idén", "required": False},
                {"kind": QuestionKind.CHOICE, "label": "Fas", "choices": "Idé\nPilot"},
                {"kind": QuestionKind.NUMBER, "label": "Antal personer i teamet"},
                {"kind": QuestionKind.RANKING, "label": "Vilka utmaningar?", "required": True},
            ],
            by=operator,
        )
    return call


@pytest.fixture
def call(programme, operator, challenge):
    return _call(programme, operator, [challenge])


def _q(call, kind):
    return call.questions.get(kind=kind)


def _form(call, challenge, **overrides):
    data = {
        "innovator_type": "entrepreneur",
        "gender": "woman",
        _q(call, QuestionKind.SHORT_TEXT).field_name: "Fikarummet",
        _q(call, QuestionKind.LONG_TEXT).field_name: "Mötesplatser för äldre.",
        _q(call, QuestionKind.CHOICE).field_name: "Idé",
        _q(call, QuestionKind.NUMBER).field_name: "3",
        _q(call, QuestionKind.RANKING).field_name: str(challenge.pk),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_operator_creates_a_call_with_questions_through_the_pages(
    client_as, programme, operator, challenge
):
    client = client_as(operator)
    response = client.post(
        f"/calls/programmes/{programme.pk}/new/",
        {
            "title": "Vår utlysning",
            "eligibility": "Alla",
            "challenges": [challenge.pk],
            "opens_at": "2026-03-01T09:00",
            "closes_at": "2026-04-01T12:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    call = Call.objects.get(title="Vår utlysning")
    # Entered in Stockholm time: 12:00 in April is 10:00 UTC (summer time).
    assert call.closes_at.astimezone(timezone.UTC).hour == 10
    assert call.deadline == "2026-04-01 12:00"
    response = client.post(
        f"/calls/{call.pk}/edit/",
        {
            "title": "Vår utlysning",
            "eligibility": "Alla",
            "challenges": [challenge.pk],
            "opens_at": "2026-03-01T09:00",
            "closes_at": "2026-04-01T12:00",
            "questions-TOTAL_FORMS": "2",
            "questions-INITIAL_FORMS": "0",
            "questions-0-label": "Idéns namn",
            "questions-0-kind": "short_text",
            "questions-0-required": "on",
            "questions-0-ORDER": "1",
            "questions-1-label": "Fas",
            "questions-1-kind": "choice",
            "questions-1-choices": "Idé\nPilot",
            "questions-1-ORDER": "2",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert [q.label for q in call.questions.all()] == ["Idéns namn", "Fas"]
    assert AuditEntry.objects.filter(action="calls.call.questions_changed").exists()


def test_only_published_challenges_of_the_programme_can_be_in_a_call(
    programme, operator, department, challenge
):
    draft = _challenge(programme, department, "Utkast", status=ChallengeStatus.DRAFT)
    with pytest.raises(ValidationError):
        _call(programme, operator, [draft])
    other = factories.programme()
    foreign = _challenge(other, factories.department())
    with pytest.raises(ValidationError):
        _call(programme, operator, [challenge, foreign])
    assert not Call.objects.exists()


def test_a_call_closes_after_it_opens(programme, operator, challenge):
    with pytest.raises(ValidationError):
        _call(programme, operator, [challenge], opens=5, closes=2)


def test_anonymous_reads_an_open_call_and_is_asked_to_sign_in_to_apply(client_as, call, challenge):
    client = client_as(None)
    page = client.get(f"/calls/{call.pk}/")
    assert page.status_code == 200
    assert challenge.title in page.content.decode()
    assert "Deadline" in page.content.decode() or call.deadline in page.content.decode()
    assert client.get(f"/calls/{call.pk}/apply/").status_code == 302


def test_the_applicant_saves_a_draft_then_submits_and_gets_a_confirmation(
    client_as, call, challenge, django_capture_on_commit_callbacks
):
    applicant = factories.person()  # not a member of the programme
    client = client_as(applicant)
    response = client.post(f"/calls/{call.pk}/apply/", _form(call, challenge, save="1"))
    assert response.status_code == 302, response.content.decode()[:3000]
    application = Application.objects.get(call=call, applicant=applicant)
    assert application.status == ApplicationStatus.DRAFT
    assert application.answers[str(_q(call, QuestionKind.NUMBER).pk)] == 3
    assert application.ranking == [challenge.pk]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/calls/{call.pk}/apply/", _form(call, challenge, submit="1"))
    assert response.status_code == 302, response.content.decode()[:3000]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.submitted_at is not None
    assert [m.to for m in mail.outbox] == [[applicant.email]]
    assert call.title in mail.outbox[0].body
    assert AuditEntry.objects.filter(
        action="calls.application.submitted", object_id=str(application.pk)
    ).exists()
    mine = client.get("/calls/mine/").content.decode()
    assert call.title in mine and "Submitted" in mine


def test_late_submission_is_refused_naming_the_deadline(programme, operator, challenge, client_as):
    late = _call(programme, operator, [challenge], opens=-10, closes=-1)
    applicant = factories.person()
    application = services.application_for(late, applicant)
    with pytest.raises(ValidationError) as refused:
        services.save_draft(application, by=applicant, answers={})
    assert late.deadline in " ".join(refused.value.messages)
    assert "Stockholm" in " ".join(refused.value.messages)
    assert not Application.objects.exists()
    # The page does not show a closed call to a stranger at all
    assert client_as(applicant).get(f"/calls/{late.pk}/apply/").status_code == 404


def test_submission_refused_once_the_call_has_closed(programme, operator, call, challenge):
    applicant = factories.person()
    application = services.save_draft(
        services.application_for(call, applicant),
        by=applicant,
        answers={str(_q(call, QuestionKind.SHORT_TEXT).pk): "Idé"},
        ranking=[challenge.pk],
        innovator_type="student",
    )
    Call.objects.filter(pk=call.pk).update(
        opens_at=timezone.now() - timedelta(days=3), closes_at=timezone.now() - timedelta(days=1)
    )
    with pytest.raises(ValidationError, match="closed"):
        services.submit_application(application, by=applicant)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_a_missing_required_answer_refuses_submission_and_saves_nothing(client_as, call, challenge):
    applicant = factories.person()
    name_field = _q(call, QuestionKind.SHORT_TEXT).field_name
    response = client_as(applicant).post(
        f"/calls/{call.pk}/apply/", _form(call, challenge, **{name_field: "", "submit": "1"})
    )
    assert response.status_code == 200
    assert "Answer this question." in response.content.decode()
    assert response.context["form"].errors[name_field] == ["Answer this question."]
    assert not Application.objects.exists()
    assert not mail.outbox


def test_too_long_answer_and_bad_choice_are_shown_next_to_their_questions(call, challenge):
    applicant = factories.person()
    name, choice = _q(call, QuestionKind.SHORT_TEXT), _q(call, QuestionKind.CHOICE)
    with pytest.raises(ValidationError) as refused:
        services.save_draft(
            services.application_for(call, applicant),
            by=applicant,
            answers={str(name.pk): "x" * 51, str(choice.pk): "Något annat"},
        )
    assert set(refused.value.message_dict) == {name.field_name, choice.field_name}
    assert not Application.objects.exists()


def test_a_ranking_with_a_foreign_challenge_or_a_duplicate_is_refused(
    programme, department, call, challenge
):
    applicant = factories.person()
    outside = _challenge(programme, department, "Inte i utlysningen")
    for ranking in ([challenge.pk, outside.pk], [challenge.pk, challenge.pk]):
        with pytest.raises(ValidationError) as refused:
            services.save_draft(
                services.application_for(call, applicant),
                by=applicant,
                answers={},
                ranking=ranking,
            )
        assert _q(call, QuestionKind.RANKING).field_name in refused.value.message_dict
    assert not Application.objects.exists()


def _submitted(call, challenge, applicant=None):
    applicant = applicant or factories.person()
    application = services.save_draft(
        services.application_for(call, applicant),
        by=applicant,
        answers={str(_q(call, QuestionKind.SHORT_TEXT).pk): "Idé"},
        ranking=[challenge.pk],
        innovator_type="entrepreneur",
        gender="man",
    )
    return services.submit_application(application, by=applicant)


def test_an_applicant_cannot_see_anothers_application(client_as, call, challenge):
    application = _submitted(call, challenge)
    other = factories.person()
    assert client_as(other).get(f"/calls/applications/{application.pk}/").status_code == 404
    own = client_as(application.applicant).get(f"/calls/applications/{application.pk}/")
    assert own.status_code == 200
    assert "Man" in own.content.decode()  # the applicant sees what they said of themselves


def test_operator_sees_applications_but_gender_only_in_aggregate(
    client_as, operator, call, challenge
):
    application = _submitted(call, challenge)
    client = client_as(operator)
    page = client.get(f"/calls/applications/{application.pk}/")
    assert page.status_code == 200
    assert application.applicant.full_name in page.content.decode()
    assert "Gender" not in page.content.decode()
    listing = client.get(f"/calls/{call.pk}/applications/").content.decode()
    assert application.applicant.full_name in listing
    assert "Gender balance" in listing


def test_needs_owner_sees_applications_only_after_close_and_for_own_department(
    client_as, programme, operator, people, call, challenge
):
    application = _submitted(call, challenge)
    owner = people[Role.NEEDS_OWNER]
    url = f"/calls/applications/{application.pk}/"
    assert client_as(owner).get(url).status_code == 404  # still open
    other_department = factories.department()
    other_challenge = _challenge(programme, other_department, "Unga och kriminalitet")
    other_call = _call(programme, operator, [other_challenge])
    other_application = _submitted(other_call, other_challenge)
    Call.objects.update(
        opens_at=timezone.now() - timedelta(days=3), closes_at=timezone.now() - timedelta(days=1)
    )
    assert client_as(owner).get(url).status_code == 200
    assert client_as(owner).get(f"/calls/applications/{other_application.pk}/").status_code == 404
    listing = client_as(owner).get(f"/calls/{call.pk}/applications/").content.decode()
    assert application.applicant.full_name in listing


def test_drafts_are_the_applicants_own(client_as, operator, call, challenge):
    applicant = factories.person()
    draft = services.save_draft(services.application_for(call, applicant), by=applicant, answers={})
    assert client_as(operator).get(f"/calls/applications/{draft.pk}/").status_code == 404


def test_observer_sees_no_applications(client_as, people, call, challenge):
    application = _submitted(call, challenge)
    Call.objects.update(
        opens_at=timezone.now() - timedelta(days=3), closes_at=timezone.now() - timedelta(days=1)
    )
    client = client_as(people[Role.OBSERVER])
    assert client.get(f"/calls/applications/{application.pk}/").status_code == 404
    assert client.get(f"/calls/{call.pk}/applications/").status_code == 403


def test_blind_review_hides_the_applicant_from_needs_owners(client_as, people, call, challenge):
    Call.objects.filter(pk=call.pk).update(blind_review=True)
    application = _submitted(call, challenge)
    Call.objects.update(
        opens_at=timezone.now() - timedelta(days=3), closes_at=timezone.now() - timedelta(days=1)
    )
    page = client_as(people[Role.NEEDS_OWNER]).get(f"/calls/applications/{application.pk}/")
    assert page.status_code == 200
    assert application.applicant.full_name not in page.content.decode()


def test_only_the_applicant_may_change_their_application(call, challenge, people):
    application = _submitted(call, challenge)
    with pytest.raises(PermissionDenied):
        services.save_draft(application, by=people[Role.OPERATOR], answers={})


def test_the_late_refusal_names_the_deadline_in_swedish_time(
    client_as, programme, operator, challenge
):
    call = _call(programme, operator, [challenge])
    applicant = factories.person()
    client_as(applicant).post(f"/calls/{call.pk}/apply/", _form(call, challenge, save="1"))
    Call.objects.filter(pk=call.pk).update(
        opens_at=timezone.now() - timedelta(days=3), closes_at=timezone.now() - timedelta(days=1)
    )
    call.refresh_from_db()
    page = client_as(applicant, language="sv").post(
        f"/calls/{call.pk}/apply/", _form(call, challenge, submit="1")
    )
    text = page.content.decode()
    assert f"Utlysningen stängde {call.deadline} (svensk tid)" in text
    assert Application.objects.get().status == ApplicationStatus.DRAFT


def test_members_see_a_call_once_it_has_opened_operators_before(
    client_as, programme, operator, people, challenge
):
    future = _call(programme, operator, [challenge], opens=3, closes=10, questions=False)
    assert client_as(people[Role.STEERING_GROUP]).get(f"/calls/{future.pk}/").status_code == 404
    assert client_as(None).get(f"/calls/{future.pk}/").status_code == 404
    assert client_as(operator).get(f"/calls/{future.pk}/").status_code == 200
    listing = client_as(operator).get(f"/calls/programmes/{programme.pk}/").content.decode()
    assert future.title in listing
    member_listing = client_as(people[Role.INNOVATOR]).get(f"/calls/programmes/{programme.pk}/")
    assert future.title not in member_listing.content.decode()


def test_the_programme_page_and_the_header_link_to_calls_and_applications(
    client_as, programme, operator
):
    page = client_as(operator).get(f"/programmes/{programme.pk}/").content.decode()
    assert f"/calls/programmes/{programme.pk}/" in page
    assert "/calls/mine/" in page


def test_the_admin_shows_applications_without_gender(rf, call, challenge):
    from django.contrib import admin

    application = _submitted(call, challenge)
    request = rf.get("/")
    request.user = factories.person()
    request.user.is_staff = request.user.is_superuser = True
    shown = admin.site._registry[Application]
    assert "gender" not in shown.get_fields(request, application)
    assert not shown.has_change_permission(request, application)
