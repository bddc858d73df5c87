"""The one place that decides who may see what and who may do what.

Every view and API endpoint asks this module two questions:

* `visible(user, queryset)` — which rows the user may see. Rows outside it answer 404, so that
  the existence of another programme's records does not leak.
* `can(user, action, obj)` — whether the user may perform `action` on a record they can see.
  A visible record the user may not act on answers 403.

Programme-scoped actions are granted by the user's roles in that programme (Membership).
Platform-wide actions (creating programmes, keeping the organisation register) are granted by
Django's own model permissions, held by the *Operators* group. Superusers may do everything.
docs/permissions.md shows the same rules as a table; tests/test_permission_matrix.py walks it.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from samskapa.accounts.models import Membership, Role

ALL_ROLES = frozenset(Role)
OPERATOR_ONLY = frozenset({Role.OPERATOR})

# Roles whose members everyone in the programme may see (the steering and needs-owner groups).
GROUP_ROLES = frozenset({Role.STEERING_GROUP, Role.NEEDS_OWNER, Role.OPERATOR})

# Who works on challenges before the public sees them.
CHALLENGE_STAFF = frozenset({Role.OPERATOR, Role.STEERING_GROUP, Role.NEEDS_OWNER})

PROGRAMME_ACTIONS: dict[str, frozenset[Role]] = {
    "programme.view": ALL_ROLES,
    "challenge.view_unpublished": CHALLENGE_STAFF,
    "challenge.create": frozenset({Role.OPERATOR, Role.NEEDS_OWNER}),
    # Needs owners only for their own department's challenges: see DEPARTMENT_SCOPED.
    "challenge.change": frozenset({Role.OPERATOR, Role.NEEDS_OWNER}),
    "challenge.submit": frozenset({Role.OPERATOR, Role.NEEDS_OWNER}),
    "challenge.comment": CHALLENGE_STAFF,
    "challenge.approve": frozenset({Role.STEERING_GROUP}),
    "challenge.publish": OPERATOR_ONLY,
    "challenge.close": OPERATOR_ONLY,
    "programme.change": OPERATOR_ONLY,
    "phase.change": OPERATOR_ONLY,
    "membership.view_all": OPERATOR_ONLY,
    "membership.change": OPERATOR_ONLY,
    "audit.view": OPERATOR_ONLY,
    "call.create": OPERATOR_ONLY,
    "call.change": OPERATOR_ONLY,
    # Needs owners see only applications to their own department's challenges, and only once
    # the call has closed: _visible_applications decides which.
    "call.view_applications": frozenset({Role.OPERATOR, Role.NEEDS_OWNER}),
    # The review panel: the rubric, the reviewers and their spread, the summary of the scores.
    "call.manage_reviews": OPERATOR_ONLY,
    # Shortlisting and the final selection decision.
    "application.decide": OPERATOR_ONLY,
    # Reviewers only for the applications given to them: see REVIEW_SCOPED.
    "application.review": frozenset({Role.REVIEWER}),
    # The recruitment lab: its times, the invitations to them.
    "call.manage_lab": OPERATOR_ONLY,
    # The funnel by gender and innovator type; only operators see groups under 5 exactly
    # (recruitment/funnel.py suppresses them for everyone else).
    "call.view_funnel": frozenset({Role.OPERATOR, Role.STEERING_GROUP, Role.NEEDS_OWNER}),
    "call.view_funnel_exact": OPERATOR_ONLY,
    # Matching (samskapa/matching): run the engine on a closed call, read its runs and their
    # whiteboard, lock or exclude pairs, compare runs, confirm the matches.
    "call.match": OPERATOR_ONLY,
    # The learning log (samskapa/learning): everyone but observers records lessons; operators
    # approve the ones asked to be public for the lessons library.
    "lesson.create": ALL_ROLES - {Role.OBSERVER},
    "lesson.approve": OPERATOR_ONLY,
    # Innovator journeys (samskapa/journeys): the programme board, adding an innovator by hand.
    "journey.view_board": frozenset({Role.OPERATOR, Role.STEERING_GROUP}),
    "journey.create": OPERATOR_ONLY,
    # Gates (samskapa/journeys): the facilitator (an operator) opens a gate, fills its checklist
    # and recommends; the steering group decides. Who sees a gate: _visible_gates.
    "gate.prepare": OPERATOR_ONLY,
    "gate.decide": frozenset({Role.STEERING_GROUP}),
    # Steering-group and needs-owner group meetings; who sees which: _visible_group_meetings.
    "meeting.manage": OPERATOR_ONLY,
    # Test environments (samskapa/environments): operators create and change them; the people
    # who can see one (its innovator, its host department's needs owners, the operators) work
    # in its workspace — _visible_test_environments does the scoping.
    "environment.create": OPERATOR_ONLY,
    "environment.change": OPERATOR_ONLY,
    "workspace.contribute": frozenset({Role.OPERATOR, Role.INNOVATOR, Role.NEEDS_OWNER}),
    # The social business model canvas of a journey (samskapa/canvas): seen only by the
    # journey's innovator and the programme's operators (canvas_journeys); both save versions
    # and comment on blocks.
    "canvas.edit": frozenset({Role.OPERATOR, Role.INNOVATOR}),
    "canvas.comment": frozenset({Role.OPERATOR, Role.INNOVATOR}),
    # The toolbox and workshops (samskapa/workshops): operators add the programme's own tools
    # and run its workshops (invitations, attendance, notes, follow-ups). Members see the
    # toolbox and the workshops they are invited to (_visible_workshops).
    "toolbox.manage": OPERATOR_ONLY,
    "workshop.manage": OPERATOR_ONLY,
    # Measuring effects (samskapa/impact): the innovator and the facilitators build the theory
    # of change, its indicators and measurements of the test environments they can see; the
    # operators curate the programme's indicator library. The challenge's dashboard (figures
    # on fewer than 5 people suppressed) is for the steering group, operators and the
    # department's needs owners (DEPARTMENT_SCOPED).
    "impact.edit": frozenset({Role.OPERATOR, Role.INNOVATOR}),
    "indicator_library.manage": OPERATOR_ONLY,
    "impact.view_challenge": frozenset({Role.OPERATOR, Role.STEERING_GROUP, Role.NEEDS_OWNER}),
    # Impact cases (samskapa/cases): the programme's operators curate its library of financial
    # proxies (every member reads it); cases are seen by whoever sees their test environment
    # and built with "impact.edit".
    "proxy_library.manage": OPERATOR_ONLY,
}

# Actions a needs owner may take only on records of a department they act for.
DEPARTMENT_SCOPED = frozenset({"challenge.change", "challenge.submit", "impact.view_challenge"})

# Actions a reviewer may take only on the submitted applications given to them
# (reviewable_applications); whether they declared a conflict is the service's question.
REVIEW_SCOPED = frozenset({"application.review"})

# None: any signed-in person; otherwise the Django permission that grants it.
PLATFORM_ACTIONS: dict[str, str | None] = {
    "programme.create": "programmes.add_programme",
    "organisation.view": None,
    "organisation.create": "organisations.add_organisation",
    "organisation.change": "organisations.change_organisation",
    "organisation.view_history": "organisations.change_organisation",
    # Anyone signed in may apply to an open call: one becomes an innovator only when selected.
    "call.apply": None,
}

# Actions only the person a record belongs to may take, whatever their roles: the field that
# names them. (Superusers too, as everywhere.)
OWNER_ACTIONS: dict[str, str] = {
    "application.change": "applicant_id",
    # Accepting or declining a lab invitation (LabInvitation.applicant_id is its application's).
    "lab_invitation.respond": "applicant_id",
    # Changing a lesson of the learning log: its author only.
    "lesson.change": "author_id",
    # Marking a workshop follow-up done: its owner (operators through "workshop.manage").
    "follow_up.complete": "owner_id",
}


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def roles_by_programme(user) -> dict[int, frozenset[str]]:
    """All the user's roles, keyed by programme id. One query per request, then cached."""
    cached = getattr(user, "_roles_by_programme", None)
    if cached is None:
        collected: dict[int, set[str]] = {}
        # order_by(): no join and sort for Membership's default ordering; this runs every request.
        memberships = Membership.objects.filter(user=user).order_by()
        for programme_id, role in memberships.values_list("programme_id", "role"):
            collected.setdefault(programme_id, set()).add(role)
        cached = {pid: frozenset(roles) for pid, roles in collected.items()}
        user._roles_by_programme = cached
    return cached


def needs_owner_departments(user) -> dict[int, frozenset[int]]:
    """The departments the user acts for as needs owner, keyed by programme id (cached)."""
    cached = getattr(user, "_needs_owner_departments", None)
    if cached is None:
        collected: dict[int, set[int]] = {}
        memberships = Membership.objects.filter(user=user, role=Role.NEEDS_OWNER).order_by()
        for programme_id, department_id in memberships.values_list("programme_id", "department_id"):
            collected.setdefault(programme_id, set()).add(department_id)
        cached = {pid: frozenset(ids) for pid, ids in collected.items()}
        user._needs_owner_departments = cached
    return cached


def roles_in(user, programme) -> frozenset[str]:
    if not _signed_in(user):
        return frozenset()
    return roles_by_programme(user).get(programme.pk, frozenset())


def is_operator(user) -> bool:
    """Operates some programme or keeps the platform's registers: held to a second factor."""
    if not _signed_in(user):
        return False
    if user.is_superuser or user.has_perm("programmes.add_programme"):
        return True
    return any(Role.OPERATOR in roles for roles in roles_by_programme(user).values())


def programme_of(obj):
    from samskapa.programmes.models import GateCriterion, Programme

    if obj is None:
        raise ValueError("This action is about a record of a programme: pass it.")
    if isinstance(obj, Programme):
        return obj
    if isinstance(obj, GateCriterion):
        return obj.phase.programme
    return obj.programme


def can(user, action: str, obj: Model | None = None) -> bool:
    if (
        action not in PROGRAMME_ACTIONS
        and action not in PLATFORM_ACTIONS
        and action not in OWNER_ACTIONS
    ):
        raise ValueError(f"Unknown action {action!r}: add it to accounts/permissions.py")
    if not _signed_in(user):
        return False
    if user.is_superuser:
        return True
    if action in OWNER_ACTIONS:
        return obj is not None and getattr(obj, OWNER_ACTIONS[action]) == user.pk
    if action in PLATFORM_ACTIONS:
        permission = PLATFORM_ACTIONS[action]
        return permission is None or user.has_perm(permission)
    programme = programme_of(obj)
    if action == "workspace.contribute" and getattr(obj, "contact_person_id", None) == user.pk:
        return True  # the host's named contact person, whatever their roles
    roles = roles_in(user, programme) & PROGRAMME_ACTIONS[action]
    if action in DEPARTMENT_SCOPED and roles == {Role.NEEDS_OWNER}:
        return _acts_for_department(user, programme, obj)
    if action in REVIEW_SCOPED:
        return bool(roles) and reviewable_applications(user).filter(pk=obj.pk).exists()
    return bool(roles)


def _acts_for_department(user, programme, obj) -> bool:
    department_id = getattr(obj, "department_id", None)
    return department_id in needs_owner_departments(user).get(programme.pk, frozenset())


def require(user, action: str, obj: Model | None = None) -> None:
    """Raise 403 when a user who can see `obj` may not perform `action` on it."""
    if not can(user, action, obj):
        raise PermissionDenied


def _my_programme_ids(user, roles=None) -> QuerySet:
    memberships = Membership.objects.filter(user=user)
    if roles is not None:
        memberships = memberships.filter(role__in=roles)
    return memberships.values("programme_id")


def _visible_programmes(user, qs):
    return qs.filter(pk__in=_my_programme_ids(user))


def _visible_phases(user, qs):
    return qs.filter(programme_id__in=_my_programme_ids(user))


def _visible_criteria(user, qs):
    return qs.filter(phase__programme_id__in=_my_programme_ids(user))


def _visible_memberships(user, qs):
    # Members see the groups and themselves; operators see everyone in their programmes.
    return qs.filter(
        Q(programme_id__in=_my_programme_ids(user, roles=OPERATOR_ONLY))
        | Q(programme_id__in=_my_programme_ids(user), role__in=GROUP_ROLES)
        | Q(user=user)
    )


def _visible_challenges(user, qs):
    # Before publication only the people who work on it; afterwards every member.
    from samskapa.challenges.models import PUBLIC_STATUSES

    return qs.filter(
        Q(programme_id__in=_my_programme_ids(user, roles=CHALLENGE_STAFF))
        | Q(programme_id__in=_my_programme_ids(user), status__in=PUBLIC_STATUSES)
    )


def _visible_calls(user, qs):
    # Operators prepare them; members see them once opened; anyone signed in sees an open call
    # (to apply) and the calls they have applied to.
    from django.utils import timezone

    from samskapa.calls.models import Application

    now = timezone.now()
    return qs.filter(
        Q(programme_id__in=_my_programme_ids(user, roles=OPERATOR_ONLY))
        | Q(programme_id__in=_my_programme_ids(user), opens_at__lte=now)
        | Q(opens_at__lte=now, closes_at__gt=now)
        | Q(pk__in=Application.objects.filter(applicant=user).values("call_id"))
    )


def _visible_applications(user, qs):
    # Applicants see their own; operators the submitted applications to their programmes'
    # calls; needs owners the submitted applications to calls with their own department's
    # challenges, once the call has closed. Drafts are the applicant's own.
    from django.utils import timezone

    from samskapa.calls.models import ApplicationStatus, Call

    shared = Q(call__programme_id__in=_my_programme_ids(user, roles=OPERATOR_ONLY))
    departments = needs_owner_departments(user)
    if departments:
        department_calls = Q()
        for programme_id, department_ids in departments.items():
            department_calls |= Q(
                programme_id=programme_id, challenges__department_id__in=department_ids
            )
        closed_calls = Call.objects.filter(department_calls, closes_at__lte=timezone.now())
        shared |= Q(call_id__in=closed_calls.values("pk"))
    # Reviewers: the applications given to them, once they have declared no conflict of
    # interest with it (a conflicted reviewer never sees it, nor its scores).
    from samskapa.calls.models import ConflictDeclaration

    if Role.REVIEWER in {role for roles in roles_by_programme(user).values() for role in roles}:
        cleared = ConflictDeclaration.objects.filter(reviewer=user, conflicted=False)
        shared |= Q(pk__in=reviewable_applications(user).values("pk")) & Q(
            pk__in=cleared.values("application_id")
        )
    return qs.filter(Q(applicant=user) | (shared & Q(status=ApplicationStatus.SUBMITTED)))


def reviewable_applications(user, qs=None) -> QuerySet:
    """The submitted applications given to a reviewer: those of the calls whose panel they are
    on (as reviewer of the programme), or, once the call's applications have been spread among
    the panel, only those the spread gave them. Whether they may read one depends on their
    conflict declaration (see _visible_applications)."""
    from samskapa.calls.models import (
        Application,
        ApplicationStatus,
        ReviewAllocation,
        ReviewerAssignment,
    )

    qs = Application.objects.all() if qs is None else qs
    if not _signed_in(user):
        return qs.none()
    panels = ReviewerAssignment.objects.filter(
        reviewer=user, call__programme_id__in=_my_programme_ids(user, roles=[Role.REVIEWER])
    )
    return qs.filter(
        Q(call_id__in=panels.filter(call__spread_seed__isnull=True).values("call_id"))
        | Q(
            call_id__in=panels.filter(call__spread_seed__isnull=False).values("call_id"),
            pk__in=ReviewAllocation.objects.filter(reviewer=user).values("application_id"),
        ),
        status=ApplicationStatus.SUBMITTED,
    )


def _visible_organisations(user, qs):
    return qs


def _visible_lab_slots(user, qs):
    return qs.filter(call__programme_id__in=_my_programme_ids(user, roles=OPERATOR_ONLY))


def _visible_lab_invitations(user, qs):
    # The applicant's own; the operators see all of their programmes' calls.
    return qs.filter(
        Q(application__applicant=user)
        | Q(application__call__programme_id__in=_my_programme_ids(user, roles=OPERATOR_ONLY))
    )


def _visible_funnel_snapshots(user, qs):
    viewers = PROGRAMME_ACTIONS["call.view_funnel"]
    return qs.filter(call__programme_id__in=_my_programme_ids(user, roles=viewers))


def _visible_matching_records(user, qs):
    # Runs and matches exist for every member of the programme to know of (403, not 404);
    # acting on them or reading them is "call.match".
    return qs.filter(call__programme_id__in=_my_programme_ids(user))


def _visible_lessons(user, qs):
    # Private: the author; programme (and public awaiting approval): the programme's members;
    # public once approved: everyone (anonymous visitors through the lessons library).
    from samskapa.learning.models import Approval, Visibility

    return qs.filter(
        Q(author=user)
        | Q(programme_id__in=_my_programme_ids(user), visibility__in=Visibility.shared())
        | Q(visibility=Visibility.PUBLIC, approval=Approval.APPROVED)
    )


def _visible_journeys(user, qs):
    # Operators and the steering group: every journey of their programmes; the innovator:
    # their own; needs owners: the journeys their department hosts a test environment for.
    from samskapa.environments.models import TestEnvironment

    hosted = TestEnvironment.objects.filter(_hosted_by_my_departments(user)).values("journey_id")
    return qs.filter(
        Q(programme_id__in=_my_programme_ids(user, roles=[Role.OPERATOR, Role.STEERING_GROUP]))
        | Q(innovator=user)
        | Q(pk__in=hosted)
    )


def _visible_gates(user, qs):
    # A gate is seen by whoever sees its journey: the programme's operators and steering group
    # all of them, the innovator their own, a hosting department's needs owners theirs.
    from samskapa.journeys.models import Journey

    return qs.filter(journey__in=_visible_journeys(user, Journey.objects.all()))


def _visible_group_meetings(user, qs):
    # Steering-group meetings: the operators and the steering group; needs-owner group
    # meetings: the operators and the needs owners.
    return qs.filter(
        Q(programme_id__in=_my_programme_ids(user, roles=OPERATOR_ONLY))
        | Q(
            kind="steering_group",
            programme_id__in=_my_programme_ids(user, roles=[Role.STEERING_GROUP]),
        )
        | Q(kind="needs_owner", programme_id__in=_my_programme_ids(user, roles=[Role.NEEDS_OWNER]))
    )


def _hosted_by_my_departments(user) -> Q:
    scope = Q(pk__in=[])
    for programme_id, department_ids in needs_owner_departments(user).items():
        scope |= Q(programme_id=programme_id, host_department_id__in=department_ids)
    return scope


def _visible_test_environments(user, qs):
    # The programme's operators, the innovator, the host department's needs owners and the
    # named contact person. Nobody else — not other innovators, not observers.
    return qs.filter(
        Q(programme_id__in=_my_programme_ids(user, roles=OPERATOR_ONLY))
        | Q(journey__innovator=user)
        | Q(contact_person=user)
        | _hosted_by_my_departments(user)
    )


def _visible_workspace_records(user, qs):
    # A test environment's tasks, meetings, files and timeline: whoever sees the environment.
    from samskapa.environments.models import TestEnvironment

    return qs.filter(
        environment__in=_visible_test_environments(user, TestEnvironment.objects.all()).values("pk")
    )


def _visible_tools(user, qs):
    # The starter set (no programme) for anyone in some programme; a programme's own tools for
    # its members.
    if not roles_by_programme(user):
        return qs.none()
    return qs.filter(Q(programme__isnull=True) | Q(programme_id__in=_my_programme_ids(user)))


def _visible_workshops(user, qs):
    # The programme's operators: all its workshops; its other members: those they are invited to.
    from samskapa.workshops.models import WorkshopInvitation

    invited = WorkshopInvitation.objects.filter(person=user).values("workshop_id")
    return qs.filter(
        Q(programme_id__in=_my_programme_ids(user, roles=OPERATOR_ONLY))
        | Q(programme_id__in=_my_programme_ids(user), pk__in=invited)
    )


def canvas_journeys(user, qs=None) -> QuerySet:
    """The journeys whose business model canvas the user may see: their own journey as its
    innovator, and every journey of the programmes they operate. Nobody else — not other
    innovators, not the steering group, not the host department."""
    from samskapa.journeys.models import Journey

    qs = Journey.objects.all() if qs is None else qs
    if not _signed_in(user):
        return qs.none()
    if user.is_superuser:
        return qs
    return qs.filter(
        Q(programme_id__in=_my_programme_ids(user, roles=OPERATOR_ONLY)) | Q(innovator=user)
    )


def _visible_canvases(user, qs):
    return qs.filter(journey__in=canvas_journeys(user))


def _visible_impact_records(user, qs):
    # Theories of change and indicators: those of the test environments the user can see.
    from samskapa.environments.models import TestEnvironment

    environments = _visible_test_environments(user, TestEnvironment.objects.all())
    return qs.filter(environment__in=environments.values("pk"))


def _visible_case_proxies(user, qs):
    return qs.filter(programme_id__in=_my_programme_ids(user))


def _visible_library_indicators(user, qs):
    return qs.filter(programme_id__in=_my_programme_ids(user))


def in_innovator_team(user, environment) -> bool:
    """The innovator's own team for a test environment: the innovator and the programme's
    operators (facilitators). Outside it, impact figures on fewer than 5 people are
    suppressed."""
    if not _signed_in(user):
        return False
    if user.is_superuser:
        return True
    return environment.journey.innovator_id == user.pk or Role.OPERATOR in roles_in(
        user, environment.programme
    )


def _visible_audit_entries(user, qs):
    scope = Q(programme_id__in=_my_programme_ids(user, roles=OPERATOR_ONLY))
    if user.has_perm("organisations.change_organisation"):
        scope |= Q(programme__isnull=True)
    return qs.filter(scope)


_VISIBILITY = {
    "programmes.Programme": _visible_programmes,
    "programmes.Phase": _visible_phases,
    "programmes.GateCriterion": _visible_criteria,
    "accounts.Membership": _visible_memberships,
    "challenges.Challenge": _visible_challenges,
    "calls.Call": _visible_calls,
    "calls.Application": _visible_applications,
    "organisations.Organisation": _visible_organisations,
    "audit.AuditEntry": _visible_audit_entries,
    "recruitment.LabSlot": _visible_lab_slots,
    "recruitment.LabInvitation": _visible_lab_invitations,
    "recruitment.FunnelSnapshot": _visible_funnel_snapshots,
    "matching.MatchingRun": _visible_matching_records,
    "matching.Match": _visible_matching_records,
    "learning.Lesson": _visible_lessons,
    "journeys.Journey": _visible_journeys,
    "journeys.Gate": _visible_gates,
    "journeys.GroupMeeting": _visible_group_meetings,
    "environments.TestEnvironment": _visible_test_environments,
    "canvas.Canvas": _visible_canvases,
    "workshops.Tool": _visible_tools,
    "workshops.Workshop": _visible_workshops,
    "impact.TheoryOfChange": _visible_impact_records,
    "impact.Indicator": _visible_impact_records,
    "impact.LibraryIndicator": _visible_library_indicators,
    "cases.Proxy": _visible_case_proxies,
    "cases.ImpactCase": _visible_impact_records,
    # Surveys (samskapa/surveys): whoever sees the test environment; their answering is by
    # token only, without signing in.
    "surveys.Survey": _visible_impact_records,
    "environments.Task": _visible_workspace_records,
    "environments.Meeting": _visible_workspace_records,
    "environments.WorkspaceFile": _visible_workspace_records,
    "environments.TimelineEntry": _visible_workspace_records,
}


def visible(user, queryset: QuerySet) -> QuerySet:
    if not _signed_in(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    try:
        rule = _VISIBILITY[queryset.model._meta.label]
    except KeyError:
        raise ValueError(f"No visibility rule for {queryset.model._meta.label}") from None
    return rule(user, queryset)


def get_visible_or_404(user, queryset: QuerySet, *, action: str | None = None, **lookup):
    """The record if the user may see it (404 otherwise) and, given an action, do it (403)."""
    try:
        obj = visible(user, queryset).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None
    if action:
        require(user, action, obj)
    return obj


def programme_or_404(user, pk, action: str = "programme.view", queryset: QuerySet | None = None):
    from samskapa.programmes.models import Programme

    programmes = queryset if queryset is not None else Programme.objects.all()
    return get_visible_or_404(user, programmes, action=action, pk=pk)
