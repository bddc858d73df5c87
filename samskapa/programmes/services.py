"""State changes to programmes, phases and memberships.

Each service is one transaction, writes the audit trail and queues notifications on commit.
Views validate input and call exactly one of these.
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from samskapa.accounts.models import Membership, Role, User
from samskapa.audit.services import diff, record, snapshot
from samskapa.core.notifications import notify_on_commit
from samskapa.programmes.models import GateCriterion, Phase, PhaseKind, Programme

# Recruiting is short and the middle phases long: shares of the programme period per phase.
_PHASE_WEIGHTS = {
    PhaseKind.IDENTIFY_AND_RECRUIT: 1,
    PhaseKind.TEST_ENVIRONMENT: 2,
    PhaseKind.CONCEPT_DEVELOPMENT: 2,
    PhaseKind.IMPLEMENTATION: 1,
}


def default_gate_criteria() -> dict[PhaseKind, list[str]]:
    """The starter gate criteria, in the active language; operators edit them per programme."""
    return {
        PhaseKind.IDENTIFY_AND_RECRUIT: [
            _("Challenges approved by the steering group"),
            _("Call held and innovators selected"),
            _("The selection is gender-balanced"),
        ],
        PhaseKind.TEST_ENVIRONMENT: [
            _("Test environment agreed with the needs owner"),
            _("Data-sharing agreement in place where personal data is used"),
            _("Social business model canvas iterated at least once"),
        ],
        PhaseKind.CONCEPT_DEVELOPMENT: [
            _("Pilot or prototype tested with the target group"),
            _("Effects measured against the baseline"),
            _("Results presented to the steering group"),
        ],
        PhaseKind.IMPLEMENTATION: [
            _("Decision on implementation, partnership or procurement"),
            _("Evaluation written"),
            _("Lessons recorded in the learning log"),
        ],
    }


def split_period(starts_on: date, ends_on: date) -> dict[PhaseKind, tuple[date, date]]:
    """Consecutive phase periods that together cover the programme period."""
    total_days = (ends_on - starts_on).days + 1
    total_weight = sum(_PHASE_WEIGHTS.values())
    periods, start, used = {}, starts_on, 0
    for kind, weight in _PHASE_WEIGHTS.items():
        used += weight
        end = starts_on + timedelta(days=max(total_days * used // total_weight - 1, 0))
        end = max(end, start)
        if kind == PhaseKind.IMPLEMENTATION:
            end = ends_on
        periods[kind] = (start, end)
        start = min(end + timedelta(days=1), ends_on)
    return periods


@transaction.atomic
def create_programme(*, by: User, needs_owners=(), **fields) -> Programme:
    programme = Programme(**fields)
    programme.full_clean()
    programme.save()
    programme.needs_owners.set(needs_owners)
    criteria = default_gate_criteria()
    for kind, (start, end) in split_period(programme.starts_on, programme.ends_on).items():
        phase = Phase.objects.create(programme=programme, kind=kind, starts_on=start, ends_on=end)
        GateCriterion.objects.bulk_create(
            GateCriterion(phase=phase, text=text, position=i)
            for i, text in enumerate(criteria[kind])
        )
    record(
        actor=by,
        action="programmes.programme.created",
        obj=programme,
        programme=programme,
        changes=diff({}, snapshot(programme, m2m=("needs_owners",))),
    )
    creator = Membership.objects.create(programme=programme, user=by, role=Role.OPERATOR)
    _record_membership(creator, by=by, added=True)
    return programme


def _record_membership(membership: Membership, *, by: User, added: bool) -> None:
    values = [str(membership.user), membership.get_role_display()]
    record(
        actor=by,
        action="accounts.membership.added" if added else "accounts.membership.removed",
        obj=membership,
        programme=membership.programme,
        changes={
            name: [None, value] if added else [value, None]
            for name, value in zip(("person", "role"), values, strict=True)
        },
    )


def _phases_outside_the_period(programme: Programme) -> list[Phase]:
    return [
        phase
        for phase in programme.phases.all()
        if phase.starts_on < programme.starts_on or phase.ends_on > programme.ends_on
    ]


@transaction.atomic
def update_programme(programme: Programme, *, by: User, needs_owners=None, **fields) -> Programme:
    before = snapshot(Programme.objects.get(pk=programme.pk), m2m=("needs_owners",))
    for name, value in fields.items():
        setattr(programme, name, value)
    programme.full_clean()
    if outside := _phases_outside_the_period(programme):
        raise ValidationError(
            _("The new period leaves these phases outside it; change their dates first: %(phases)s")
            % {"phases": ", ".join(phase.name for phase in outside)}
        )
    programme.save()
    if needs_owners is not None:
        programme.needs_owners.set(needs_owners)
    changes = diff(before, snapshot(programme, m2m=("needs_owners",)))
    if changes:
        record(
            actor=by,
            action="programmes.programme.updated",
            obj=programme,
            programme=programme,
            changes=changes,
        )
    return programme


def _phase_state(phase: Phase) -> dict:
    state = snapshot(phase)
    state["criteria"] = [c.text for c in phase.criteria.all()]
    return state


@transaction.atomic
def update_phase(phase: Phase, *, by: User, starts_on: date, ends_on: date, criteria: list[str]):
    """Change a phase's dates and replace its gate criteria (in the order given)."""
    before = _phase_state(Phase.objects.get(pk=phase.pk))
    phase.starts_on, phase.ends_on = starts_on, ends_on
    phase.full_clean()
    phase.save()
    phase.criteria.all().delete()
    GateCriterion.objects.bulk_create(
        GateCriterion(phase=phase, text=text.strip(), position=i)
        for i, text in enumerate(t for t in criteria if t.strip())
    )
    changes = diff(before, _phase_state(phase))
    if changes:
        record(
            actor=by,
            action="programmes.phase.updated",
            obj=phase,
            programme=phase.programme,
            changes=changes,
        )
    return phase


@transaction.atomic
def add_member(
    programme: Programme,
    *,
    by: User,
    email: str,
    full_name: str = "",
    role: str,
    department=None,
    organisation=None,
) -> Membership:
    """Give a person a role in a programme, creating the person if they are new."""
    email = email.strip().lower()
    person = User.objects.filter(email=email).first()
    if person is None:
        person = User.objects.create_user(email=email, full_name=full_name.strip() or email)
        record(
            actor=by,
            action="accounts.person.created",
            obj=person,
            programme=programme,
            changes={"email": [None, email], "full_name": [None, person.full_name]},
        )
    membership = Membership(
        programme=programme,
        user=person,
        role=role,
        department=department,
        organisation=organisation,
    )
    membership.full_clean()
    membership.save()
    _record_membership(membership, by=by, added=True)
    notify_on_commit(
        person.email,
        "emails/membership_added",
        {
            "person": str(person),
            "programme": programme.name,
            "role": membership.get_role_display(),
            "programme_url": settings.SITE_URL + programme.get_absolute_url(),
            "password_url": settings.SITE_URL + reverse("accounts:password_reset"),
        },
    )
    return membership


@transaction.atomic
def remove_member(membership: Membership, *, by: User) -> None:
    if membership.role == Role.OPERATOR and not (
        membership.programme.memberships.filter(role=Role.OPERATOR)
        .exclude(pk=membership.pk)
        .exists()
    ):
        raise ValidationError(_("A programme needs at least one operator: add another one first."))
    _record_membership(membership, by=by, added=False)
    membership.delete()
