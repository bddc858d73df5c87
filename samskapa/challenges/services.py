"""The life of a challenge: drafted, reviewed, approved, published, closed, archived.

Every function is one transaction that checks the actor's permission, records the step
(ChallengeEvent, shown on the challenge) and the audit entry, and e-mails the people concerned
after commit. A published challenge keeps each published state as a ChallengeVersion.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samskapa.accounts import permissions
from samskapa.accounts.models import Role, User
from samskapa.audit.services import diff, record, snapshot
from samskapa.challenges.models import (
    VERSIONED_FIELDS,
    Challenge,
    ChallengeEvent,
    ChallengeStatus,
    ChallengeVersion,
    StrategyDocument,
    Tag,
)
from samskapa.challenges.search import index_challenge
from samskapa.core.notifications import notify_on_commit

S = ChallengeStatus


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    action: str  # the permission it needs
    label: object  # what the step is called, for people
    notify: tuple[str, ...]  # who hears of it: "department" (its needs owners) or a role


TRANSITIONS = {
    t.name: t
    for t in (
        Transition(
            "submit",
            (S.DRAFT,),
            S.IN_REVIEW,
            "challenge.submit",
            _("Sent for review by the needs-owner group"),
            (Role.NEEDS_OWNER, Role.OPERATOR),
        ),
        Transition(
            "approve",
            (S.IN_REVIEW,),
            S.APPROVED,
            "challenge.approve",
            _("Approved by the steering group"),
            ("department", Role.OPERATOR),
        ),
        Transition(
            "send_back",
            (S.IN_REVIEW, S.APPROVED),
            S.DRAFT,
            "challenge.approve",
            _("Sent back for more work"),
            ("department",),
        ),
        Transition(
            "publish",
            (S.APPROVED,),
            S.PUBLISHED,
            "challenge.publish",
            _("Published"),
            ("department", Role.STEERING_GROUP),
        ),
        Transition(
            "close", (S.PUBLISHED,), S.CLOSED, "challenge.close", _("Closed"), ("department",)
        ),
        Transition("archive", (S.CLOSED,), S.ARCHIVED, "challenge.close", _("Archived"), ()),
    )
}


def available_transitions(challenge: Challenge, user) -> list[Transition]:
    return [
        t
        for t in TRANSITIONS.values()
        if challenge.status in t.sources and permissions.can(user, t.action, challenge)
    ]


@transaction.atomic
def create_challenge(
    programme, *, by: User, strategy_documents=(), themes=(), **fields
) -> Challenge:
    permissions.require(by, "challenge.create", programme)
    challenge = Challenge(programme=programme, **fields)
    permissions.require(by, "challenge.change", challenge)  # a needs owner: own department only
    _validate_department(challenge)
    challenge.full_clean()
    challenge.save()
    _set_documents_and_themes(challenge, strategy_documents, themes)
    index_challenge(challenge)
    record(
        actor=by,
        action="challenges.challenge.created",
        obj=challenge,
        programme=programme,
        changes=diff({}, _state(challenge)),
    )
    return challenge


@transaction.atomic
def update_challenge(
    challenge: Challenge, *, by: User, strategy_documents=None, themes=None, **fields
) -> Challenge:
    permissions.require(by, "challenge.change", challenge)
    if challenge.status == S.ARCHIVED:
        raise ValidationError(_("An archived challenge can no longer be changed."))
    before = _state(Challenge.objects.get(pk=challenge.pk))
    for name, value in fields.items():
        setattr(challenge, name, value)
    _validate_department(challenge)
    challenge.full_clean()
    challenge.save()
    _set_documents_and_themes(challenge, strategy_documents, themes)
    index_challenge(challenge)
    changes = diff(before, _state(challenge))
    if changes:
        record(
            actor=by,
            action="challenges.challenge.updated",
            obj=challenge,
            programme=challenge.programme,
            changes=changes,
        )
        if challenge.is_public:  # the public sees the change: keep what they saw before
            _new_version(challenge, by)
    return challenge


@transaction.atomic
def transition(challenge: Challenge, name: str, *, by: User, note: str = "") -> Challenge:
    step = TRANSITIONS[name]
    permissions.require(by, step.action, challenge)
    challenge = Challenge.objects.select_for_update().get(pk=challenge.pk)
    if challenge.status not in step.sources:
        raise ValidationError(
            _("This step is not possible while the challenge is “%(status)s”."),
            params={"status": challenge.get_status_display()},
        )
    source = challenge.status
    challenge.status = step.target
    if step.target == S.PUBLISHED and challenge.published_at is None:
        challenge.published_at = timezone.now()
    challenge.save(update_fields=["status", "published_at", "updated_at"])
    if step.target == S.PUBLISHED:
        _new_version(challenge, by)
    ChallengeEvent.objects.create(
        challenge=challenge,
        kind=ChallengeEvent.Kind.TRANSITION,
        from_status=source,
        to_status=step.target,
        text=note,
        by=by,
    )
    record(
        actor=by,
        action=f"challenges.challenge.{name}",
        obj=challenge,
        programme=challenge.programme,
        changes={
            "status": [str(S(source).label), str(S(step.target).label)],
            "note": [None, note or None],
        },
    )
    _notify(challenge, step.notify, by=by, what=step.label, note=note)
    return challenge


@transaction.atomic
def comment(challenge: Challenge, *, by: User, text: str) -> ChallengeEvent:
    permissions.require(by, "challenge.comment", challenge)
    if not text.strip():
        raise ValidationError({"text": _("Write a comment.")})
    event = ChallengeEvent.objects.create(
        challenge=challenge, kind=ChallengeEvent.Kind.COMMENT, text=text.strip(), by=by
    )
    record(
        actor=by,
        action="challenges.challenge.commented",
        obj=challenge,
        programme=challenge.programme,
        changes={"comment": [None, event.text]},
    )
    _notify(challenge, ("department", Role.OPERATOR), by=by, what=_("New comment"), note=event.text)
    return event


def _validate_department(challenge: Challenge) -> None:
    if not challenge.programme.needs_owners.filter(pk=challenge.department_id).exists():
        raise ValidationError(
            {"department": _("Choose one of the programme's participating needs owners.")}
        )


def _set_documents_and_themes(challenge, strategy_documents, themes) -> None:
    if strategy_documents is not None:
        challenge.strategy_documents.all().delete()
        StrategyDocument.objects.bulk_create(
            StrategyDocument(challenge=challenge, title=title, url=url)
            for title, url in strategy_documents
        )
    if themes is not None:
        challenge.tags.set(_tags(themes))


def _tags(names) -> list[Tag]:
    tags = []
    for name in {n.strip() for n in names if n.strip()}:
        tag = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(name=name)
        tags.append(tag)
    return tags


def _state(challenge: Challenge) -> dict:
    state = snapshot(challenge, m2m=("tags",))
    state.pop("status", None)  # status changes are their own audited steps
    state.pop("published_at", None)
    state["strategy_documents"] = [
        f"{d.title} <{d.url}>" for d in challenge.strategy_documents.all()
    ]
    return state


def _new_version(challenge: Challenge, by) -> ChallengeVersion:
    content = {name: getattr(challenge, name) for name in VERSIONED_FIELDS}
    content["themes"] = sorted(tag.name for tag in challenge.tags.all())
    content["strategy_documents"] = [
        {"title": d.title, "url": d.url} for d in challenge.strategy_documents.all()
    ]
    latest = challenge.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return ChallengeVersion.objects.create(
        challenge=challenge, number=latest + 1, content=content, created_by=by
    )


def _is_concerned(membership, challenge: Challenge, audience) -> bool:
    if membership.role in audience:
        return True
    return (
        "department" in audience
        and membership.role == Role.NEEDS_OWNER
        and membership.department_id == challenge.department_id
    )


def _recipients(challenge: Challenge, audience, *, exclude) -> set[str]:
    return {
        membership.user.email
        for membership in challenge.programme.memberships.select_related("user")
        if _is_concerned(membership, challenge, audience)
        and membership.user.is_active
        and membership.user_id != exclude.pk
    }


def _notify(challenge: Challenge, audience, *, by, what, note) -> None:
    context = {
        "challenge": challenge.title,
        "programme": challenge.programme.name,
        "what": str(what),
        "note": note,
        "by": str(by),
        "url": settings.SITE_URL + challenge.get_absolute_url(),
    }
    for email in sorted(_recipients(challenge, audience, exclude=by)):
        notify_on_commit(email, "emails/challenge_event", context)
