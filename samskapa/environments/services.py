"""Creating and changing test environments, and the verbs of their shared workspace.

Each function is one transaction that checks the actor's permission (accounts/permissions.py),
validates everything before anything is stored, writes one audit entry and the timeline entry
(or entries) that the workspace's people read. Files are checked by their content
(calls/uploads.py) and removed again from private storage when the change fails.
"""

import secrets

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samskapa.accounts import permissions
from samskapa.accounts.models import Membership, Role, User
from samskapa.audit.services import diff, record, snapshot
from samskapa.calls import uploads
from samskapa.environments.models import (
    Meeting,
    Task,
    TestEnvironment,
    TimelineEntry,
    TimelineKind,
    WorkspaceFile,
)
from samskapa.journeys.models import Journey

# Workspace files: every type the calls accept, at the default size limit.
WORKSPACE_FILE_TYPES = tuple(uploads.FILE_KINDS)
# The signed data-sharing agreement: a PDF or a scan of the paper.
AGREEMENT_FILE_TYPES = ("pdf", "png", "jpeg")

# The fields of a test environment an operator changes (TestEnvironmentForm, the API).
CHANGEABLE_FIELDS = (
    "contact_person",
    "facilitator",
    "target_group_access",
    "premises",
    "data_offered",
    "staff_time",
    "budget",
    "aims",
    "starts_on",
    "ends_on",
    "data_agreement_signed",
    "status",
)


@transaction.atomic
def create_for_matches(matches, *, by: User) -> list[TestEnvironment]:
    """One test environment per confirmed match, in the confirming transaction: the innovator
    gets a journey in the programme (in phase 2) and the innovator role, and the challenge's
    offer and contact person are the environment's starting point. The caller has checked
    "call.match"."""
    environments = []
    for match in matches:
        application = match.application
        challenge = match.challenge
        programme = challenge.programme
        journey = journey_for(
            programme,
            application.applicant,
            organisation=application.organisation,
            application=application,
            by=by,
        )
        environment = TestEnvironment.objects.create(
            programme=programme,
            journey=journey,
            match=match,
            challenge=challenge,
            host_department=challenge.department,
            contact_person=challenge.contact_person,
            facilitator=by,
            target_group_access=challenge.target_group_access,
            premises=challenge.premises,
            data_offered=challenge.data_offered,
            budget=challenge.budget_max,
        )
        record(actor=by, action="environments.created", obj=environment, programme=programme)
        _timeline(environment, TimelineKind.CREATED, by)
        environments.append(environment)
    return environments


def journey_for(programme, innovator: User, *, by: User, organisation=None, application=None):
    """The innovator's journey in the programme (started in phase 2 when new), and the
    innovator role in it."""
    membership, _created = Membership.objects.get_or_create(
        programme=programme,
        user=innovator,
        role=Role.INNOVATOR,
        defaults={"organisation": organisation},
    )
    journey, _created = Journey.objects.get_or_create(
        programme=programme,
        innovator=innovator,
        defaults={
            "organisation": organisation or membership.organisation,
            "application": application,
            "facilitator": by,
        },
    )
    return journey


@transaction.atomic
def create_by_hand(programme, *, by: User, innovator: User, challenge, **fields):
    """A test environment an operator sets up without a match (e.g. an innovator who came in
    before the platform). The challenge must be the programme's."""
    permissions.require(by, "environment.create", programme)
    if challenge.programme_id != programme.pk:
        raise ValidationError(_("The challenge belongs to another programme."))
    journey = journey_for(programme, innovator, by=by)
    environment = TestEnvironment(
        programme=programme,
        journey=journey,
        challenge=challenge,
        host_department=challenge.department,
        contact_person=fields.pop("contact_person", challenge.contact_person),
        facilitator=fields.pop("facilitator", by),
        **fields,
    )
    _check_period(environment)
    environment.full_clean()
    environment.save()
    record(actor=by, action="environments.created", obj=environment, programme=programme)
    _timeline(environment, TimelineKind.CREATED, by)
    return environment


@uploads.removed_on_error()
@transaction.atomic
def update_environment(environment: TestEnvironment, *, by: User, agreement=None, **fields):
    """An operator changes a test environment: what is offered, the aims, the period, the
    contact person, the agreement flag, the status — and may attach the signed data-sharing
    agreement (`agreement`, an upload: it sets the flag). One audit entry with what changed;
    the timeline says it was changed, and separately when the status changed or an agreement
    was attached."""
    permissions.require(by, "environment.change", environment)
    unknown = set(fields) - set(CHANGEABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not a changeable field of a test environment: {sorted(unknown)}")
    environment = TestEnvironment.objects.select_for_update().get(pk=environment.pk)
    before = snapshot(environment)
    old_status = environment.get_status_display()
    for name, value in fields.items():
        setattr(environment, name, value.strip() if isinstance(value, str) else value)
    _check_people(environment)
    _check_period(environment)
    environment.full_clean()
    inspected = None
    if agreement is not None:
        inspected = _inspect(agreement, AGREEMENT_FILE_TYPES, field="agreement")
    try:
        if inspected is not None:
            environment.data_agreement_file = _save(inspected)
            environment.data_agreement_filename = inspected.original_name
            environment.data_agreement_signed = True
    finally:
        if inspected is not None:
            inspected.close()
    environment.save()
    after = snapshot(environment)
    changes = diff(before, after)
    changes.pop("data_agreement_file", None)  # a random storage name, of no use to a reader
    if not changes:
        return environment
    record(
        actor=by,
        action="environments.updated",
        obj=environment,
        programme=environment.programme,
        changes=changes,
    )
    edited = set(changes) - {"status", "data_agreement_filename"}
    if inspected is not None:
        edited.discard("data_agreement_signed")
    if edited:
        _timeline(environment, TimelineKind.EDITED, by, _field_labels(edited))
    if "status" in changes:
        _timeline(
            environment,
            TimelineKind.STATUS,
            by,
            f"{old_status} → {environment.get_status_display()}",
        )
    if inspected is not None:
        _timeline(environment, TimelineKind.AGREEMENT, by, inspected.original_name)
    return environment


def agreement_download(environment: TestEnvironment):
    """The stored agreement as uploads.file_response expects it (None when there is none)."""
    if not environment.data_agreement_file:
        return None
    name = environment.data_agreement_file
    kind = next(
        (k for k in uploads.FILE_KINDS.values() if name.lower().endswith(k.extensions)),
        None,
    )

    class Stored:
        pk = environment.pk
        file = File(None, name=name)
        content_type = kind.mime if kind else "application/octet-stream"

    return Stored


# --- The workspace ---


def participants(environment: TestEnvironment):
    """The people who work in the environment's workspace, for choosing a task's owner: its
    innovator, contact person and facilitator, its host department's needs owners, and the
    programme's operators."""
    members = Membership.objects.filter(programme_id=environment.programme_id).filter(
        Q(role=Role.OPERATOR)
        | Q(role=Role.NEEDS_OWNER, department_id=environment.host_department_id)
    )
    named = [
        pk
        for pk in (
            environment.journey.innovator_id,
            environment.contact_person_id,
            environment.facilitator_id,
        )
        if pk
    ]
    return User.objects.filter(Q(pk__in=named) | Q(pk__in=members.values("user_id"))).order_by(
        "full_name", "pk"
    )


@transaction.atomic
def add_task(environment: TestEnvironment, *, by: User, title, owner=None, due_on=None) -> Task:
    _require_workspace(by, environment)
    task = Task(
        environment=environment,
        title=(title or "").strip(),
        owner=owner,
        due_on=due_on,
        created_by=by,
    )
    task.full_clean()
    if owner is not None and not participants(environment).filter(pk=owner.pk).exists():
        raise ValidationError(
            {"owner": _("Choose the owner among the people of this test environment.")}
        )
    task.save()
    record(
        actor=by,
        action="environments.task.added",
        obj=task,
        programme=environment.programme,
        changes=diff({}, snapshot(task)),
    )
    _timeline(environment, TimelineKind.TASK_ADDED, by, task.title)
    return task


@transaction.atomic
def set_task_done(task: Task, *, by: User, done: bool) -> Task:
    environment = task.environment
    _require_workspace(by, environment)
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.done == done:
        return task
    task.done = done
    task.done_at = timezone.now() if done else None
    task.save(update_fields=["done", "done_at"])
    record(
        actor=by,
        action="environments.task.done" if done else "environments.task.reopened",
        obj=task,
        programme=environment.programme,
        changes={"done": [not done, done]},
    )
    kind = TimelineKind.TASK_DONE if done else TimelineKind.TASK_REOPENED
    _timeline(environment, kind, by, task.title)
    return task


@transaction.atomic
def add_meeting(environment: TestEnvironment, *, by: User, starts_at, **fields) -> Meeting:
    _require_workspace(by, environment)
    unknown = set(fields) - {"place", "video_link", "agenda", "notes"}
    if unknown:
        raise ValueError(f"Not a field of a meeting: {sorted(unknown)}")
    meeting = Meeting(
        environment=environment,
        starts_at=starts_at,
        created_by=by,
        **{k: (v or "").strip() for k, v in fields.items()},
    )
    meeting.full_clean()
    if not meeting.place and not meeting.video_link:
        raise ValidationError({"place": _("Say where the meeting is, or give a video link.")})
    meeting.save()
    record(
        actor=by,
        action="environments.meeting.added",
        obj=meeting,
        programme=environment.programme,
        changes=diff({}, snapshot(meeting)),
    )
    _timeline(environment, TimelineKind.MEETING, by, str(meeting))
    return meeting


@uploads.removed_on_error()
@transaction.atomic
def add_file(environment: TestEnvironment, *, by: User, upload) -> WorkspaceFile:
    """Share a file in the workspace: its type is read from its content and must be one the
    calls accept (PDF, Word, OpenDocument, Excel, PNG, JPEG), at most the default size."""
    _require_workspace(by, environment)
    if upload is None:
        raise ValidationError({"file": _("Choose a file to upload.")})
    inspected = _inspect(upload, WORKSPACE_FILE_TYPES, field="file")
    try:
        stored = WorkspaceFile.objects.create(
            environment=environment,
            file=_save(inspected),
            original_name=inspected.original_name,
            content_type=inspected.kind.mime,
            size=inspected.size,
            sha256=inspected.sha256,
            uploaded_by=by,
        )
    finally:
        inspected.close()
    record(
        actor=by,
        action="environments.file.added",
        obj=stored,
        programme=environment.programme,
        changes={"original_name": [None, stored.original_name]},
    )
    _timeline(environment, TimelineKind.FILE, by, stored.original_name)
    return stored


# --- Helpers ---


def _require_workspace(user, environment) -> None:
    # The caller found the environment through permissions.visible; this is the role check.
    permissions.require(user, "workspace.contribute", environment)


def _timeline(environment, kind, actor, subject="") -> TimelineEntry:
    return TimelineEntry.objects.create(
        environment=environment, kind=kind, actor=actor, subject=str(subject)[:300]
    )


def _check_period(environment) -> None:
    if (
        environment.starts_on
        and environment.ends_on
        and environment.ends_on < environment.starts_on
    ):
        raise ValidationError({"ends_on": _("The end date cannot be before the start date.")})


def _check_people(environment) -> None:
    """The facilitator must be one of the programme's operators; the contact person a member of
    the programme (both may be empty)."""
    members = Membership.objects.filter(programme_id=environment.programme_id)
    errors = {}
    if (
        environment.facilitator_id
        and not members.filter(user_id=environment.facilitator_id, role=Role.OPERATOR).exists()
    ):
        errors["facilitator"] = _("Choose one of the programme's operators.")
    if (
        environment.contact_person_id
        and environment.contact_person_id != _original(environment, "contact_person_id")
        and not members.filter(user_id=environment.contact_person_id).exists()
    ):
        errors["contact_person"] = _("Choose a member of the programme.")
    if errors:
        raise ValidationError(errors)


def _original(environment, attname):
    return (
        TestEnvironment.objects.filter(pk=environment.pk).values_list(attname, flat=True).first()
        if environment.pk
        else None
    )


def _field_labels(names) -> str:
    fields = TestEnvironment._meta
    return ", ".join(sorted(str(fields.get_field(name).verbose_name) for name in names))


def _inspect(upload, allowed, *, field):
    try:
        return uploads.inspect(upload, allowed=allowed, max_mb=uploads.default_max_mb())
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None


def _save(inspected) -> str:
    """Store a checked upload under a random name of our own folder (deleted again if the
    enclosing `uploads.removed_on_error` block fails, as uploads.save_inspected does)."""
    token = secrets.token_hex(16)
    inspected.copy.seek(0)
    name = uploads.private_storage.save(
        f"environments/{token[:2]}/{token}{inspected.kind.extension}", File(inspected.copy)
    )
    for pending in uploads._pending.get():
        pending.append(name)
    return name
