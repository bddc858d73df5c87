"""Journeys, their gates, the programme board and the groups' meetings (pages)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samskapa.accounts import permissions
from samskapa.core.forms import add_service_errors
from samskapa.journeys import board as programme_board
from samskapa.journeys import services
from samskapa.journeys.forms import (
    ChecklistForm,
    ConflictForm,
    DecisionForm,
    JourneyForm,
    MeetingForm,
    RecommendationForm,
)
from samskapa.journeys.models import Gate, GroupKind, GroupMeeting, Journey
from samskapa.reports.pdf import pdf_response, render_pdf


def gates_with_details(queryset):
    return queryset.select_related(
        "opened_by", "recommended_by", "decided_by", "meeting"
    ).prefetch_related("checks", "members_present")


@login_required
def index(request, pk):
    """The programme's journeys the person may see, with links to the board and meetings."""
    programme = permissions.programme_or_404(request.user, pk)
    journeys = (
        permissions.visible(request.user, programme.journeys.all())
        .select_related("innovator", "organisation")
        .order_by("innovator__full_name", "pk")
    )
    meetings = permissions.visible(request.user, programme.group_meetings.all())
    return render(
        request,
        "journeys/index.html",
        {
            "programme": programme,
            "journeys": journeys,
            "can_view_board": permissions.can(request.user, "journey.view_board", programme),
            "can_create": permissions.can(request.user, "journey.create", programme),
            "has_meetings": permissions.can(request.user, "meeting.manage", programme)
            or meetings.exists(),
        },
    )


@login_required
def create(request, pk):
    programme = permissions.programme_or_404(request.user, pk, "journey.create")
    form = JourneyForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            journey = services.create_journey(
                programme, by=request.user, innovator=form.cleaned_data["innovator"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The journey is added."))
            return redirect(journey)
    return render(request, "journeys/journey_form.html", {"form": form, "programme": programme})


def mark_visible_meetings(user, gates):
    """Set `meeting_visible` on each gate: whether `user` may open the meeting the decision
    was taken at (one query for them all), so nobody is shown a link that answers 404."""
    gates = list(gates)
    ids = {gate.meeting_id for gate in gates if gate.meeting_id}
    visible = (
        set(
            permissions.visible(user, GroupMeeting.objects.filter(pk__in=ids)).values_list(
                "pk", flat=True
            )
        )
        if ids
        else set()
    )
    for gate in gates:
        gate.meeting_visible = gate.meeting_id in visible
    return gates


JOURNEY_RELATED = ("programme", "innovator", "organisation", "facilitator")


@login_required
def detail(request, pk):
    journey = permissions.get_visible_or_404(
        request.user, Journey.objects.select_related(*JOURNEY_RELATED), pk=pk
    )
    return _journey_page(request, journey)


def _journey_page(request, journey, status=200):
    gates = mark_visible_meetings(
        request.user,
        gates_with_details(permissions.visible(request.user, journey.gates.all())).order_by(
            "-opened_at", "-pk"
        ),
    )
    environments = permissions.visible(
        request.user, journey.test_environments.select_related("challenge", "host_department")
    )
    return render(
        request,
        "journeys/detail.html",
        {
            "journey": journey,
            "programme": journey.programme,
            "gates": gates,
            "environments": environments,
            "open_gate": next((g for g in gates if not g.is_decided), None),
            "can_prepare": permissions.can(request.user, "gate.prepare", journey),
            "can_view_board": permissions.can(request.user, "journey.view_board", journey),
            "can_see_canvas": permissions.canvas_journeys(
                request.user, Journey.objects.filter(pk=journey.pk)
            ).exists(),
        },
        status=status,
    )


@login_required
@require_POST
def open_gate(request, pk):
    journey = permissions.get_visible_or_404(
        request.user,
        Journey.objects.select_related(*JOURNEY_RELATED),
        action="gate.prepare",
        pk=pk,
    )
    try:
        gate = services.open_gate(journey, by=request.user)
    except ValidationError as error:
        # Refused (an open gate already, or the journey ended): the journey page with the
        # reason, answering 422 so a refusal never looks like success.
        messages.error(request, " ".join(error.messages))
        return _journey_page(request, journey, status=422)
    messages.success(request, _("The gate is opened: fill in its checklist."))
    return redirect(gate)


def _gate(request, pk, action=None):
    return permissions.get_visible_or_404(
        request.user,
        Gate.objects.select_related("journey__innovator", "journey__organisation", "programme"),
        action=action,
        pk=pk,
    )


def _gate_page(request, gate, *, checklist=None, recommendation=None, decision=None, status=200):
    user = request.user
    can_prepare = permissions.can(user, "gate.prepare", gate)
    can_decide = permissions.can(user, "gate.decide", gate)
    open_ = not gate.is_decided
    checks = list(gate.checks.all())
    members = services.steering_group(gate.programme)
    meetings = permissions.visible(
        user, gate.programme.group_meetings.filter(kind=GroupKind.STEERING_GROUP)
    )
    if open_ and can_prepare:
        checklist = checklist or ChecklistForm(checks=checks)
        recommendation = recommendation or RecommendationForm(
            initial={
                "recommendation": gate.recommendation,
                "recommendation_text": gate.recommendation_text,
            }
        )
    if open_ and can_decide and gate.recommendation:
        decision = decision or DecisionForm(gate=gate, members=members, meetings=meetings)
    mark_visible_meetings(user, [gate])
    return render(
        request,
        "journeys/gate.html",
        {
            "gate": gate,
            "journey": gate.journey,
            "programme": gate.programme,
            "checks": checks,
            "members_present": list(gate.members_present.all()),
            "checklist_form": checklist if open_ and can_prepare else None,
            "recommendation_form": recommendation if open_ and can_prepare else None,
            "decision_form": decision if open_ and can_decide and gate.recommendation else None,
        },
        status=status,
    )


def _decided_meanwhile(request, gate, error) -> bool:
    """When the gate was decided before this request landed (someone else was first), say so
    above the decided gate rather than on a form that is no longer shown."""
    gate.refresh_from_db()
    if gate.is_decided:
        messages.error(request, " ".join(error.messages))
        return True
    return False


@login_required
def gate(request, pk):
    return _gate_page(request, _gate(request, pk))


@login_required
@require_POST
def checklist(request, pk):
    gate = _gate(request, pk, "gate.prepare")
    form = ChecklistForm(request.POST, checks=gate.checks.all())
    if form.is_valid():
        try:
            services.update_checklist(gate, by=request.user, checks=form.service_checks())
        except ValidationError as error:
            if _decided_meanwhile(request, gate, error):
                return redirect(gate)
            add_service_errors(form, error)
        else:
            messages.success(request, _("The checklist is saved."))
            return redirect(gate)
    return _gate_page(request, gate, checklist=form, status=422)


@login_required
@require_POST
def recommend(request, pk):
    gate = _gate(request, pk, "gate.prepare")
    form = RecommendationForm(request.POST)
    if form.is_valid():
        try:
            services.recommend(
                gate,
                by=request.user,
                recommendation=form.cleaned_data["recommendation"],
                text=form.cleaned_data["recommendation_text"],
            )
        except ValidationError as error:
            if _decided_meanwhile(request, gate, error):
                return redirect(gate)
            add_service_errors(form, error)
        else:
            messages.success(request, _("The recommendation is saved; the steering group decides."))
            return redirect(gate)
    return _gate_page(request, gate, recommendation=form, status=422)


@login_required
@require_POST
def decide(request, pk):
    gate = _gate(request, pk, "gate.decide")
    members = services.steering_group(gate.programme)
    meetings = permissions.visible(
        request.user, gate.programme.group_meetings.filter(kind=GroupKind.STEERING_GROUP)
    )
    form = DecisionForm(request.POST, gate=gate, members=members, meetings=meetings)
    if gate.is_decided:
        messages.error(request, _("This gate was already decided: here is the decision."))
        return redirect(gate)
    if form.is_valid():
        try:
            services.decide(gate, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            if _decided_meanwhile(request, gate, error):
                return redirect(gate)
            add_service_errors(form, error)
        else:
            messages.success(request, _("The decision is recorded."))
            return redirect(gate.journey)
    gate.refresh_from_db()
    return _gate_page(request, gate, decision=form, status=422)


@login_required
def board(request, pk):
    programme = permissions.programme_or_404(request.user, pk, "journey.view_board")
    return render(
        request,
        "journeys/board.html",
        {"programme": programme, "board": programme_board.build(programme, request.user)},
    )


# --- Meetings -------------------------------------------------------------------------------


@login_required
def meetings(request, pk):
    programme = permissions.programme_or_404(request.user, pk)
    visible = permissions.visible(request.user, programme.group_meetings.all())
    return render(
        request,
        "journeys/meetings.html",
        {
            "programme": programme,
            "meetings": visible.prefetch_related("attendees").order_by("-starts_at", "-pk"),
            "can_manage": permissions.can(request.user, "meeting.manage", programme),
        },
    )


@login_required
def meeting_create(request, pk):
    programme = permissions.programme_or_404(request.user, pk, "meeting.manage")
    kind = request.GET.get("kind", GroupKind.STEERING_GROUP)
    form = MeetingForm(request.POST or None, programme=programme, initial={"kind": kind}, kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.create_meeting(programme, by=request.user, **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The meeting is saved."))
            return redirect(meeting)
    return render(request, "journeys/meeting_form.html", {"form": form, "programme": programme})


def _meeting(request, pk, action=None):
    return permissions.get_visible_or_404(
        request.user, GroupMeeting.objects.select_related("programme"), action=action, pk=pk
    )


def meeting_context(meeting):
    return {
        "meeting": meeting,
        "programme": meeting.programme,
        "items": meeting.items.select_related("journey__innovator"),
        "attendees": meeting.attendees.order_by("full_name", "pk"),
        "conflicts": meeting.conflicts.select_related(
            "member", "journey__innovator", "item"
        ).order_by("pk"),
        "decisions": meeting.gate_decisions.select_related("journey__innovator").prefetch_related(
            Prefetch("members_present")
        ),
    }


@login_required
def meeting(request, pk):
    meeting = _meeting(request, pk)
    can_manage = permissions.can(request.user, "meeting.manage", meeting)
    conflict_form = None
    if can_manage:
        conflict_form = ConflictForm(
            request.POST or None,
            meeting=meeting,
            journeys=meeting.programme.journeys.select_related("innovator", "organisation"),
        )
        if request.method == "POST" and conflict_form.is_valid():
            try:
                services.declare_conflict(meeting, by=request.user, **conflict_form.cleaned_data)
            except ValidationError as error:
                add_service_errors(conflict_form, error)
            else:
                messages.success(request, _("The declared conflict is recorded."))
                return redirect(meeting)
    elif request.method == "POST":
        permissions.require(request.user, "meeting.manage", meeting)
    context = meeting_context(meeting)
    context |= {"can_manage": can_manage, "conflict_form": conflict_form}
    return render(
        request,
        "journeys/meeting.html",
        context,
        status=422 if request.method == "POST" else 200,
    )


@login_required
def meeting_edit(request, pk):
    meeting = _meeting(request, pk, "meeting.manage")
    form = MeetingForm(request.POST or None, instance=meeting, programme=meeting.programme)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_meeting(meeting, by=request.user, **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The meeting is saved."))
            return redirect(meeting)
    return render(
        request,
        "journeys/meeting_form.html",
        {"form": form, "programme": meeting.programme, "meeting": meeting},
    )


@login_required
def minutes_pdf(request, pk):
    meeting = _meeting(request, pk)
    pdf = render_pdf("journeys/minutes_pdf.html", meeting_context(meeting), request=request)
    return pdf_response(pdf, f"{_('Minutes')} {meeting}")
