"""Calls and applications: operators open calls for published challenges; anyone applies.

Every function is one transaction that checks the actor's permission, validates the whole
change before storing any of it, writes one audit entry and e-mails the people concerned after
commit.
"""

import random
import secrets
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samskapa.accounts import permissions
from samskapa.accounts.models import Membership, Role, User
from samskapa.audit.services import diff, record, snapshot
from samskapa.calls import uploads
from samskapa.calls.models import (
    Application,
    ApplicationFile,
    ApplicationStatus,
    Call,
    ConflictDeclaration,
    Criterion,
    Decision,
    Question,
    QuestionKind,
    Review,
    ReviewAllocation,
    ReviewerAssignment,
    Score,
    stockholm_time,
)
from samskapa.challenges.models import ChallengeStatus
from samskapa.core.notifications import notify_on_commit
from samskapa.organisations.models import OrganisationKind

PROFILE_FIELDS = ("organisation", "innovator_type", "legal_form", "org_number", "gender")
QUESTION_FIELDS = (
    "before_declaring",
    "kind",
    "label",
    "help_text",
    "required",
    "max_length",
    "choices",
    "allowed_types",
    "max_size_mb",
)


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
    with_files = set(
        ApplicationFile.objects.filter(question__call=call).values_list("question_id", flat=True)
    )
    before = [_question_text(q) for q in existing.values()]
    kept, errors = [], {}
    for position, values in enumerate(questions, 1):
        question = existing.get(values.get("id")) or Question(call=call)
        question.position = position
        for name in QUESTION_FIELDS:
            setattr(question, name, values.get(name, getattr(question, name)))
        if question.kind != QuestionKind.FILE:
            question.allowed_types, question.max_size_mb = [], None
        else:
            question.allowed_types = list(question.allowed_types or [])
        if question.pk in with_files and question.kind != QuestionKind.FILE:
            errors[f"{position}-kind"] = [
                _(
                    "Applicants have uploaded files for “%(label)s”: it must stay a file "
                    "question. Add a new question instead."
                )
                % {"label": question.label}
            ]
            kept.append(question)
            continue
        if question.before_declaring and question.kind != QuestionKind.SHORT_TEXT:
            errors[f"{position}-before_declaring"] = [
                _(
                    "Only a short-text answer (such as the idea's name) can be shown before "
                    "reviewers declare."
                )
            ]
        try:
            question.full_clean(exclude=["call"])
            if question.kind == QuestionKind.CHOICE and len(question.options) < 2:
                raise ValidationError({"choices": _("Give at least two options, one per line.")})
        except ValidationError as error:
            errors.update({f"{position}-{k}": v for k, v in error.message_dict.items()})
        kept.append(question)
    keep_ids = {q.pk for q in kept if q.pk}
    submitted_files = set(
        ApplicationFile.objects.filter(
            question__call=call, application__status=ApplicationStatus.SUBMITTED
        ).values_list("question_id", flat=True)
    )
    for removed in existing.values():
        if removed.pk in submitted_files and removed.pk not in keep_ids:
            # Removing it would delete submitted applicants' files with it (text answers stay in
            # the application, files would not); drafts' files go, as their drafts can change.
            errors["__all__"] = [
                _(
                    "Submitted applications have files for “%(label)s”: the question cannot "
                    "be removed."
                )
                % {"label": removed.label}
            ]
    if errors:
        raise ValidationError(errors)
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
    kind = question.get_kind_display()
    if question.kind == QuestionKind.FILE:
        kind = f"{kind}: {question.allowed_types_label}, ≤ {question.max_size_mb} MB"
    return f"{question.position}. {question.label} ({kind}){required}"


# --- Applications (applicants) ---


def application_for(call: Call, user: User) -> Application:
    """The person's application to the call, or a new, unsaved one."""
    return Application.objects.filter(call=call, applicant=user).first() or Application(
        call=call, applicant=user
    )


@uploads.removed_on_error()
@transaction.atomic
def save_draft(
    application: Application,
    *,
    by: User,
    answers: dict,
    ranking=(),
    files=None,
    remove_files=(),
    **profile,
) -> Application:
    """Store the applicant's answers as a draft. All of it is checked (but not whether the
    required questions are answered): on any problem nothing is stored.

    `files` maps file questions (their ids) to uploaded files, each checked by its content
    (uploads.inspect) and replacing the one stored before; `remove_files` lists file
    questions whose stored file goes. Files are stored only when everything passed, and
    deleted again if the transaction fails."""
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
    errors = {}
    try:
        application.answers, application.ranking = _clean_answers(
            call, answers, list(ranking), complete=False
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    errors.update(_profile_errors(application))
    try:
        application.full_clean(exclude=["call", "applicant", "answers", "ranking"])
    except ValidationError as error:
        errors.update(error.message_dict)
    inspected = {}
    try:
        inspected, removals = _check_files(call, files or {}, remove_files, errors)
        if errors:
            raise ValidationError(errors)
        created = application.pk is None
        application.save()
        _store_files(application, inspected, removals)
    finally:
        for checked in inspected.values():
            checked.close()
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
    _clean_answers(
        call,
        application.answers,
        application.ranking,
        complete=True,
        files=set(application.files.values_list("question_id", flat=True)),
    )
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


def _clean_answers(call: Call, answers: dict, ranking: list, *, complete: bool, files=()):
    """The answers and ranking as stored, or a ValidationError keyed by each question's field.
    `files`: the file questions (ids) the application has a stored file for."""
    cleaned, errors, clean_ranking = {}, {}, []
    challenge_ids = set(call.challenges.values_list("pk", flat=True))
    for question in call.questions.all():
        key = str(question.pk)
        if question.kind == QuestionKind.FILE:  # files are ApplicationFile rows, not answers
            if complete and question.required and question.pk not in files:
                errors[question.field_name] = _("Upload a file for this question.")
            continue
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


def _check_files(call: Call, files: dict, remove_files, errors: dict):
    """Inspect each upload against its question ({question id: Inspected}) and check the
    removals ({question id}); problems go into `errors` under the question's field."""
    questions = {q.pk: q for q in call.questions.all() if q.kind == QuestionKind.FILE}
    inspected, removals = {}, set()
    try:
        for key, upload in files.items():
            question = questions.get(_int_or_none(key))
            if question is None:
                errors["__all__"] = _("Upload files only for the file questions of this call.")
                continue
            try:
                inspected[question.pk] = uploads.inspect(
                    upload, allowed=question.allowed_types, max_mb=question.max_size_mb
                )
            except ValidationError as error:
                errors[question.field_name] = error.messages
        for key in remove_files:
            question = questions.get(_int_or_none(key))
            if question is None:
                errors["__all__"] = _("Remove files only of the file questions of this call.")
            elif question.pk not in inspected:
                removals.add(question.pk)
    except BaseException:
        for checked in inspected.values():
            checked.close()
        raise
    return inspected, removals


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _store_files(application: Application, inspected: dict, removals: set) -> None:
    """Replace or remove the stored files; the old files go when the change commits."""
    replaced = set(inspected) | removals
    if replaced:
        # post_delete removes each old file from storage on commit.
        for old in application.files.filter(question_id__in=replaced):
            old.delete()
    for question_id, checked in inspected.items():
        name = uploads.save_inspected(checked)
        ApplicationFile.objects.create(
            application=application,
            question_id=question_id,
            file=name,
            original_name=checked.original_name,
            content_type=checked.kind.mime,
            size=checked.size,
            sha256=checked.sha256,
        )


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
        "files": {
            str(f.question_id): f"{f.original_name} ({f.size} B, SHA-256 {f.sha256[:16]})"
            for f in application.files.order_by("question_id")
        }
        if application.pk
        else {},
    }


# --- The review panel (operators set it up; reviewers declare conflicts and score) ---

# A reviewer's weighted score is the weighted mean of their scores, each taken as a share of
# its criterion's top score, in points out of 100. The panel disagrees on an application when
# its reviewers' weighted scores lie more than this many points apart (highest minus lowest).
DISAGREEMENT_THRESHOLD = 25


def _require_no_reviews(call: Call, message) -> None:
    if Review.objects.filter(application__call=call).exists():
        raise ValidationError(message)


@transaction.atomic
def add_criterion(call: Call, *, by: User, **fields) -> Criterion:
    permissions.require(by, "call.manage_reviews", call)
    call = Call.objects.select_for_update().get(pk=call.pk)
    _require_no_reviews(call, _("Reviews have begun: the rubric can no longer change."))
    last = call.criteria.order_by("-position").values_list("position", flat=True).first()
    criterion = Criterion(call=call, position=(last or 0) + 1, **fields)
    criterion.full_clean()
    criterion.save()
    record(
        actor=by,
        action="calls.criterion.added",
        obj=call,
        programme=call.programme,
        changes={
            "criterion": [
                None,
                f"{criterion.name} ({_('weight')} {criterion.weight}, 1–{criterion.scale_max})",
            ]
        },
    )
    return criterion


@transaction.atomic
def remove_criterion(criterion: Criterion, *, by: User) -> None:
    call = criterion.call
    permissions.require(by, "call.manage_reviews", call)
    _require_no_reviews(call, _("Reviews have begun: the rubric can no longer change."))
    criterion.delete()
    record(
        actor=by,
        action="calls.criterion.removed",
        obj=call,
        programme=call.programme,
        changes={"criterion": [criterion.name, None]},
    )


@transaction.atomic
def assign_reviewer(call: Call, reviewer: User, *, by: User) -> ReviewerAssignment:
    """Put a reviewer of the programme on the call's panel, and tell them."""
    permissions.require(by, "call.manage_reviews", call)
    if not Membership.objects.filter(
        programme=call.programme, user=reviewer, role=Role.REVIEWER
    ).exists():
        raise ValidationError(
            {"reviewer": _("Only the programme's reviewers can be on a call's review panel.")}
        )
    if ReviewerAssignment.objects.filter(call=call, reviewer=reviewer).exists():
        raise ValidationError({"reviewer": _("This reviewer is already on the panel.")})
    assignment = ReviewerAssignment.objects.create(call=call, reviewer=reviewer)
    record(
        actor=by,
        action="calls.reviewer.assigned",
        obj=call,
        programme=call.programme,
        changes={"reviewer": [None, reviewer.email]},
    )
    notify_on_commit(
        reviewer.email,
        "calls/emails/reviewer_assigned",
        {
            "call": call.title,
            "programme": call.programme.name,
            "url": settings.SITE_URL + "/calls/reviews/",
        },
    )
    return assignment


@transaction.atomic
def spread_reviewers(call: Call, *, per_application: int, by: User, seed: int | None = None):
    """Give each submitted application `per_application` of the panel's reviewers, at random
    but evenly (no reviewer gets more than one application more than another), repeatably:
    the same seed, panel and applications give the same spread. Returns the seed used."""
    permissions.require(by, "call.manage_reviews", call)
    call = Call.objects.select_for_update().select_related("programme").get(pk=call.pk)
    _require_no_reviews(call, _("Reviews have begun: the applications can no longer be spread."))
    reviewers = list(
        ReviewerAssignment.objects.filter(call=call)
        .order_by("reviewer_id")
        .values_list("reviewer_id", flat=True)
    )
    if per_application is None or not 1 <= per_application <= len(reviewers):
        raise ValidationError(
            {
                "per_application": _(
                    "Choose from 1 to %(count)s reviewers per application (the panel's size)."
                )
                % {"count": len(reviewers)}
            }
        )
    if seed is None:
        seed = secrets.randbelow(1_000_000)
    if not 0 <= seed < 2**31:
        raise ValidationError({"seed": _("The seed is a whole number from 0 to 2147483647.")})
    generator = random.Random(seed)
    load = dict.fromkeys(reviewers, 0)
    allocations = []
    applications = call.applications.filter(status=ApplicationStatus.SUBMITTED).order_by("pk")
    for application_id in applications.values_list("pk", flat=True):
        order = list(reviewers)
        generator.shuffle(order)
        order.sort(key=load.__getitem__)  # stable: the least loaded first, ties at random
        for reviewer_id in order[:per_application]:
            load[reviewer_id] += 1
            allocations.append(
                ReviewAllocation(application_id=application_id, reviewer_id=reviewer_id)
            )
    before = {"per_application": call.reviewers_per_application, "seed": call.spread_seed}
    ReviewAllocation.objects.filter(application__call=call).delete()
    ReviewAllocation.objects.bulk_create(allocations, batch_size=1000)
    call.reviewers_per_application, call.spread_seed = per_application, seed
    call.save(update_fields=["reviewers_per_application", "spread_seed", "updated_at"])
    emails = dict(User.objects.filter(pk__in=reviewers).values_list("pk", "email"))
    record(
        actor=by,
        action="calls.reviewers.spread",
        obj=call,
        programme=call.programme,
        changes={
            "per_application": [before["per_application"], per_application],
            "seed": [before["seed"], seed],
            "applications_per_reviewer": [None, {emails[pk]: n for pk, n in load.items()}],
        },
    )
    return seed


@transaction.atomic
def declare_conflict(
    application: Application, *, by: User, conflicted: bool, note: str = ""
) -> ConflictDeclaration:
    """A reviewer's declaration, once, before scoring: a conflicted reviewer neither reads nor
    scores the application."""
    permissions.require(by, "application.review", application)
    if ConflictDeclaration.objects.filter(application=application, reviewer=by).exists():
        raise ValidationError(_("You have already declared this for this application."))
    declaration = ConflictDeclaration(
        application=application, reviewer=by, conflicted=bool(conflicted), note=note or ""
    )
    declaration.full_clean(exclude=["application", "reviewer"])
    declaration.save()
    record(
        actor=by,
        action="calls.conflict.declared",
        obj=application,
        programme=application.call.programme,
        changes={"conflicted": [None, declaration.conflicted], "note": [None, declaration.note]},
    )
    return declaration


@transaction.atomic
def submit_review(application: Application, *, by: User, scores: dict) -> Review:
    """A reviewer's one review: `scores` maps each criterion's id to {"value", "comment"}.
    Every criterion scored within its scale, or nothing is stored."""
    permissions.require(by, "application.review", application)
    application = (
        Application.objects.select_for_update().select_related("call").get(pk=application.pk)
    )
    declaration = ConflictDeclaration.objects.filter(application=application, reviewer=by).first()
    if declaration is None:
        raise ValidationError(
            _("Declare whether you have a conflict of interest before you score.")
        )
    if declaration.conflicted:
        raise ValidationError(
            _("You declared a conflict of interest with this application: you cannot score it.")
        )
    if Review.objects.filter(application=application, reviewer=by).exists():
        raise ValidationError(_("You have already reviewed this application."))
    criteria = list(application.call.criteria.all())
    if not criteria:
        raise ValidationError(_("The call has no criteria to score yet."))
    given = {str(key): value for key, value in scores.items()}
    known = {str(c.pk) for c in criteria}
    errors, rows = {}, []
    if set(given) - known:
        errors["__all__"] = _("Score only the criteria of this call.")
    for criterion in criteria:
        entry = given.get(str(criterion.pk)) or {}
        value = entry.get("value")
        field = f"c_{criterion.pk}"
        if value in (None, ""):
            errors[field] = _("Score this criterion.")
            continue
        try:
            number = int(str(value))
        except ValueError:
            number = None
        if number is None or not 1 <= number <= criterion.scale_max:
            errors[field] = _("Give a score from 1 to %(max)s.") % {"max": criterion.scale_max}
            continue
        rows.append(Score(criterion=criterion, value=number, comment=entry.get("comment") or ""))
    if errors:
        raise ValidationError(errors)
    review = Review.objects.create(application=application, reviewer=by)
    for row in rows:
        row.review = review
    Score.objects.bulk_create(rows)
    record(
        actor=by,
        action="calls.review.submitted",
        obj=application,
        programme=application.call.programme,
        changes={"scores": [None, {row.criterion.name: row.value for row in rows}]},
    )
    return review


@transaction.atomic
def set_shortlisted(application: Application, *, by: User, shortlisted: bool) -> Application:
    permissions.require(by, "application.decide", application)
    application = Application.objects.select_for_update().get(pk=application.pk)
    if not application.is_submitted:
        raise ValidationError(_("Only submitted applications can be shortlisted."))
    if application.shortlisted != bool(shortlisted):
        before = application.shortlisted
        application.shortlisted = bool(shortlisted)
        application.save(update_fields=["shortlisted", "updated_at"])
        record(
            actor=by,
            action="calls.application.shortlisted"
            if shortlisted
            else "calls.application.unshortlisted",
            obj=application,
            programme=application.call.programme,
            changes={"shortlisted": [before, application.shortlisted]},
        )
        _snapshot_funnel(application.call, reason="shortlisted", by=by)
    return application


@transaction.atomic
def decide(application: Application, *, by: User, decision: str, rationale: str) -> Application:
    """The final selection decision (selected or not) and the reasons for it."""
    permissions.require(by, "application.decide", application)
    application = Application.objects.select_for_update().get(pk=application.pk)
    errors = {}
    if not application.is_submitted:
        raise ValidationError(_("Only submitted applications can be decided on."))
    if decision not in Decision.values:
        errors["decision"] = _("Choose selected or not selected.")
    if not (rationale or "").strip():
        errors["decision_rationale"] = _("Give the reasons for the decision.")
    if errors:
        raise ValidationError(errors)
    before = (application.get_decision_display() or None, application.decision_rationale or None)
    application.decision = decision
    application.decision_rationale = rationale.strip()
    application.decided_at = timezone.now()
    application.save(update_fields=["decision", "decision_rationale", "decided_at", "updated_at"])
    record(
        actor=by,
        action="calls.application.decided",
        obj=application,
        programme=application.call.programme,
        changes={
            "decision": [before[0], application.get_decision_display()],
            "decision_rationale": [before[1], application.decision_rationale],
        },
    )
    _snapshot_funnel(application.call, reason="decision", by=by)
    return application


def _snapshot_funnel(call: Call, *, reason: str, by: User) -> None:
    """Keep the funnel's figures as they are at this decision (recruitment/funnel.py), so that
    a later profile edit does not rewrite what the figures were when it was taken."""
    from samskapa.recruitment.services import snapshot_funnel  # recruitment builds on calls

    snapshot_funnel(call, reason=reason, by=by)


def review_summary(call: Call) -> list[dict]:
    """Per submitted application: the number of reviews, the mean of the reviewers' weighted
    scores (points out of 100), their spread (highest minus lowest) and whether the panel
    disagrees (spread above DISAGREEMENT_THRESHOLD). Two queries, whatever the size."""
    applications = list(
        call.applications.filter(status=ApplicationStatus.SUBMITTED)
        .select_related("applicant", "organisation")
        .order_by("pk")
    )
    totals: dict[int, dict[int, list]] = {}
    rows = Score.objects.filter(review__application__call=call).values_list(
        "review__application_id", "review_id", "value", "criterion__weight", "criterion__scale_max"
    )
    for application_id, review_id, value, weight, scale_max in rows.order_by():
        sums = totals.setdefault(application_id, {}).setdefault(review_id, [Decimal(0), Decimal(0)])
        sums[0] += weight * Decimal(value) / Decimal(scale_max)
        sums[1] += weight
    summary = []
    for application in applications:
        scores = [
            float(100 * total / weights)
            for total, weights in totals.get(application.pk, {}).values()
            if weights
        ]
        mean = round(sum(scores) / len(scores), 1) if scores else None
        spread = round(max(scores) - min(scores), 1) if scores else None
        summary.append(
            {
                "application": application,
                "reviews": len(scores),
                "mean": mean,
                "spread": spread,
                "disagreement": len(scores) > 1 and spread > DISAGREEMENT_THRESHOLD,
            }
        )
    return summary
