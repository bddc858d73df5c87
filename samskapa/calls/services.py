"""Calls and applications: operators open calls for published challenges; anyone applies.

Every function is one transaction that checks the actor's permission, validates the whole
change before storing any of it, writes one audit entry and e-mails the people concerned after
commit.
"""

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samskapa.accounts import permissions
from samskapa.accounts.models import User
from samskapa.audit.services import diff, record, snapshot
from samskapa.calls.models import (
    Application,
    ApplicationStatus,
    Call,
    Question,
    QuestionKind,
    stockholm_time,
)
from samskapa.challenges.models import ChallengeStatus
from samskapa.core.notifications import notify_on_commit
from samskapa.organisations.models import OrganisationKind

PROFILE_FIELDS = ("organisation", "innovator_type", "legal_form", "org_number", "gender")
QUESTION_FIELDS = ("kind", "label", "help_text", "required", "max_length", "choices")


# --- Calls (operators) ---


@transaction.atomic
def create_call(programme, *, by: User, challenges=(), **fields) -> Call:
    permissions.require(by, "call.create", programme)
    call = Call(programme=programme, **fields)
    call.full_clean()
    _validate_challenges(call, challenges)
    call.save()
    call.challenges.set(challenges)
    record(
        actor=by,
        action="calls.call.created",
        obj=call,
        programme=programme,
        changes=diff({}, _state(call)),
    )
    return call


@transaction.atomic
def update_call(call: Call, *, by: User, challenges=None, **fields) -> Call:
    permissions.require(by, "call.change", call)
    before = _state(Call.objects.get(pk=call.pk))
    for name, value in fields.items():
        setattr(call, name, value)
    call.full_clean()
    if challenges is not None:
        _validate_challenges(call, challenges)
    call.save()
    if challenges is not None:
        call.challenges.set(challenges)
    changes = diff(before, _state(call))
    if changes:
        record(
            actor=by,
            action="calls.call.updated",
            obj=call,
            programme=call.programme,
            changes=changes,
        )
    return call


@transaction.atomic
def set_questions(call: Call, questions, *, by: User) -> list[Question]:
    """Make the call's form exactly `questions`, in order: dicts of QUESTION_FIELDS with the
    `id` of an existing question to keep (its answers stay attached) or None for a new one."""
    permissions.require(by, "call.change", call)
    existing = {q.pk: q for q in call.questions.all()}
    before = [_question_text(q) for q in existing.values()]
    kept, errors = [], {}
    for position, values in enumerate(questions, 1):
        question = existing.get(values.get("id")) or Question(call=call)
        question.position = position
        for name in QUESTION_FIELDS:
            setattr(question, name, values.get(name, getattr(question, name)))
        try:
            question.full_clean(exclude=["call"])
            if question.kind == QuestionKind.CHOICE and len(question.options) < 2:
                raise ValidationError({"choices": _("Give at least two options, one per line.")})
        except ValidationError as error:
            errors.update({f"{position}-{k}": v for k, v in error.message_dict.items()})
        kept.append(question)
    if errors:
        raise ValidationError(errors)
    keep_ids = {q.pk for q in kept if q.pk}
    call.questions.exclude(pk__in=keep_ids).delete()
    for question in kept:
        question.save()
    after = [_question_text(q) for q in kept]
    if before != after:
        record(
            actor=by,
            action="calls.call.questions_changed",
            obj=call,
            programme=call.programme,
            changes={"questions": [before, after]},
        )
    return kept


def _validate_challenges(call: Call, challenges) -> None:
    for challenge in challenges:
        if challenge.programme_id != call.programme_id or challenge.status != (
            ChallengeStatus.PUBLISHED
        ):
            raise ValidationError(
                {"challenges": _("Only the programme's published challenges can be in a call.")}
            )
    if not challenges:
        raise ValidationError({"challenges": _("Choose at least one challenge.")})


def _state(call: Call) -> dict:
    state = snapshot(call, m2m=("challenges",))
    state["opens_at"] = stockholm_time(call.opens_at)
    state["closes_at"] = stockholm_time(call.closes_at)
    return state


def _question_text(question: Question) -> str:
    required = " *" if question.required else ""
    return f"{question.position}. {question.label} ({question.get_kind_display()}){required}"


# --- Applications (applicants) ---


def application_for(call: Call, user: User) -> Application:
    """The person's application to the call, or a new, unsaved one."""
    return Application.objects.filter(call=call, applicant=user).first() or Application(
        call=call, applicant=user
    )


@transaction.atomic
def save_draft(
    application: Application, *, by: User, answers: dict, ranking=(), **profile
) -> Application:
    """Store the applicant's answers as a draft. All of it is checked (but not whether the
    required questions are answered): on any problem nothing is stored."""
    if application.pk is None:
        permissions.require(by, "call.apply")
        if application.applicant_id != by.pk:
            raise ValidationError(_("You can only apply for yourself."))
    else:
        permissions.require(by, "application.change", application)
        application = Application.objects.select_for_update().get(pk=application.pk)
    call = application.call
    _require_open(call)
    if application.is_submitted:
        raise ValidationError(_("Your application is already submitted."))
    before = _application_state(application) if application.pk else {}
    for name, value in profile.items():
        if name not in PROFILE_FIELDS:
            raise ValueError(f"Unknown profile field {name!r}")
        setattr(application, name, value if value is not None or name == "organisation" else "")
    application.answers, application.ranking = _clean_answers(
        call, answers, list(ranking), complete=False
    )
    errors = _profile_errors(application)
    try:
        application.full_clean(exclude=["call", "applicant"])
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    created = application.pk is None
    application.save()
    changes = diff(before, _application_state(application))
    if changes:
        record(
            actor=by,
            action="calls.application.created" if created else "calls.application.updated",
            obj=application,
            programme=call.programme,
            changes=changes,
        )
    return application


@transaction.atomic
def submit_application(application: Application, *, by: User) -> Application:
    """Submit a saved draft: every required question answered, before the deadline."""
    permissions.require(by, "application.change", application)
    application = (
        Application.objects.select_for_update().select_related("call").get(pk=application.pk)
    )
    call = application.call
    _require_open(call)
    if application.is_submitted:
        raise ValidationError(_("Your application is already submitted."))
    _clean_answers(call, application.answers, application.ranking, complete=True)
    if not application.innovator_type:
        raise ValidationError({"innovator_type": _("Tell us what you apply as.")})
    application.status = ApplicationStatus.SUBMITTED
    application.submitted_at = timezone.now()
    application.save(update_fields=["status", "submitted_at", "updated_at"])
    record(
        actor=by,
        action="calls.application.submitted",
        obj=application,
        programme=call.programme,
        changes={
            "status": [str(ApplicationStatus.DRAFT.label), str(ApplicationStatus.SUBMITTED.label)]
        },
    )
    notify_on_commit(
        by.email,
        "emails/application_submitted",
        {
            "call": call.title,
            "programme": call.programme.name,
            "deadline": call.deadline,
            "submitted_at": stockholm_time(application.submitted_at),
            "url": settings.SITE_URL + application.get_absolute_url(),
        },
    )
    return application


def _require_open(call: Call) -> None:
    now = timezone.now()
    if now < call.opens_at:
        raise ValidationError(
            _("The call opens on %(opens)s (Stockholm time); you can apply from then."),
            params={"opens": call.opening},
            code="not_open",
        )
    if now >= call.closes_at:
        raise ValidationError(
            _(
                "The call closed on %(deadline)s (Stockholm time); applications can no longer "
                "be saved or submitted."
            ),
            params={"deadline": call.deadline},
            code="closed",
        )


def _clean_answers(call: Call, answers: dict, ranking: list, *, complete: bool):
    """The answers and ranking as stored, or a ValidationError keyed by each question's field."""
    cleaned, errors, clean_ranking = {}, {}, []
    challenge_ids = set(call.challenges.values_list("pk", flat=True))
    for question in call.questions.all():
        key = str(question.pk)
        if question.kind == QuestionKind.RANKING:
            problem = _ranking_problem(ranking, challenge_ids)
            if problem is None and complete and question.required and not ranking:
                problem = _("Rank at least one challenge.")
            if problem is not None:
                errors[question.field_name] = problem
            else:
                clean_ranking = [int(pk) for pk in ranking]
            continue
        value = answers.get(key, answers.get(question.pk))
        value = "" if value is None else value
        if isinstance(value, str):
            value = value.strip()
        if value == "":
            if complete and question.required:
                errors[question.field_name] = _("Answer this question.")
            continue
        problem, value = _answer_problem(question, value)
        if problem is not None:
            errors[question.field_name] = problem
        else:
            cleaned[key] = value
    if ranking and not any(q.kind == QuestionKind.RANKING for q in call.questions.all()):
        errors["ranking"] = _ranking_problem(ranking, challenge_ids) or _(
            "This call does not ask for a ranking."
        )
    if errors:
        raise ValidationError(errors)
    return cleaned, clean_ranking


def _answer_problem(question: Question, value):
    if question.kind == QuestionKind.NUMBER:
        try:
            number = Decimal(str(value))
            if not number.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            return _("Write a number."), value
        return None, int(number) if number == number.to_integral_value() else float(number)
    value = str(value)
    if question.kind == QuestionKind.CHOICE:
        if value not in question.options:
            return _("Choose one of the options."), value
        return None, value
    if question.max_length and len(value) > question.max_length:
        return (
            _("At most %(max)s characters, please (you wrote %(count)s).")
            % {"max": question.max_length, "count": len(value)},
            value,
        )
    return None, value


def _ranking_problem(ranking, challenge_ids):
    try:
        ids = [int(pk) for pk in ranking]
    except (TypeError, ValueError):
        return _("Rank only the challenges of this call.")
    if any(pk not in challenge_ids for pk in ids):
        return _("Rank only the challenges of this call.")
    if len(set(ids)) != len(ids):
        return _("Rank each challenge only once.")
    return None


def _profile_errors(application: Application) -> dict:
    organisation = application.organisation
    if organisation is not None and organisation.kind != OrganisationKind.INNOVATOR:
        return {"organisation": _("Choose an innovator organisation.")}
    return {}


def _application_state(application: Application) -> dict:
    # Gender is for aggregate statistics only: not written into a trail others read.
    return {
        "organisation": str(application.organisation) if application.organisation else None,
        "innovator_type": application.get_innovator_type_display() or None,
        "legal_form": application.get_legal_form_display() or None,
        "org_number": application.org_number or None,
        "answers": dict(sorted(application.answers.items())),
        "ranking": list(application.ranking),
    }
