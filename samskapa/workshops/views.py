"""The toolbox and the workshops of a programme: pages for members (what they may see) and
for operators (adding tools, running workshops)."""

from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samskapa.accounts import permissions
from samskapa.accounts.models import User
from samskapa.calls import uploads
from samskapa.core.forms import add_service_errors
from samskapa.reports.pdf import pdf_response, render_pdf
from samskapa.workshops import ics, services
from samskapa.workshops.forms import (
    AttendanceForm,
    FollowUpForm,
    PhaseFilterForm,
    ToolForm,
    WorkshopForm,
)
from samskapa.workshops.models import FollowUp, Tool, Workshop, WorkshopInvitation

# --- The toolbox ---


def toolbox_of(user, programme):
    """The starter set and the programme's own tools (those the user may see)."""
    return (
        permissions.visible(user, Tool.objects.all())
        .filter(Q(programme__isnull=True) | Q(programme=programme))
        .defer("template_file", "created_by")
    )


@login_required
def toolbox(request, pk):
    programme = permissions.programme_or_404(request.user, pk)
    form = PhaseFilterForm(request.GET or None)
    tools = toolbox_of(request.user, programme)
    if form.is_valid():
        tools = form.filter(tools)
    return render(
        request,
        "workshops/toolbox.html",
        {
            "programme": programme,
            "tools": tools,
            "form": form,
            "can_manage": permissions.can(request.user, "toolbox.manage", programme),
        },
    )


def _tool(request, programme, tool_pk) -> Tool:
    tool = toolbox_of(request.user, programme).filter(pk=tool_pk).first()
    if tool is None:
        raise Http404
    return tool


@login_required
def tool_detail(request, pk, tool_pk):
    programme = permissions.programme_or_404(request.user, pk)
    return render(
        request,
        "workshops/tool.html",
        {"programme": programme, "tool": _tool(request, programme, tool_pk)},
    )


@login_required
def tool_template(request, pk, tool_pk):
    """The tool's template: the uploaded file if it has one, else a worksheet as a PDF."""
    programme = permissions.programme_or_404(request.user, pk)
    tool = _tool(request, programme, tool_pk)
    if tool.has_uploaded_template:
        stored = SimpleNamespace(
            file=tool.template_file, content_type=tool.template_content_type, pk=tool.pk
        )
        return uploads.file_response(stored, tool.template_name)
    return pdf_response(tool_worksheet(tool), str(tool.title))


def tool_worksheet(tool: Tool) -> bytes:
    return render_pdf("workshops/tool_worksheet_pdf.html", {"tool": tool})


@login_required
def tool_create(request, pk):
    programme = permissions.programme_or_404(request.user, pk, "toolbox.manage")
    form = ToolForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        template = fields.pop("template")
        try:
            tool = services.create_tool(programme, by=request.user, template=template, **fields)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The tool is in the programme's toolbox."))
            return redirect("workshops:tool", programme.pk, tool.pk)
    return render(request, "workshops/tool_form.html", {"form": form, "programme": programme})


# --- Workshops ---


def workshops_of(user, programme):
    return (
        permissions.visible(user, programme.workshops.all())
        .annotate(
            invited_count=Count("invitations", distinct=True),
            attended_count=Count(
                "invitations", filter=Q(invitations__attended=True), distinct=True
            ),
        )
        .order_by("-starts_at", "-pk")
    )


@login_required
def index(request, pk):
    programme = permissions.programme_or_404(request.user, pk)
    return render(
        request,
        "workshops/index.html",
        {
            "programme": programme,
            "workshops": workshops_of(request.user, programme),
            "can_manage": permissions.can(request.user, "workshop.manage", programme),
        },
    )


def _members(programme):
    return User.objects.filter(memberships__programme=programme).distinct().order_by("full_name")


def _owners(workshop):
    """Who may own a follow-up of the workshop: the invited and the programme's operators."""
    operators = Q(
        memberships__programme=workshop.programme_id,
        memberships__role__in=permissions.OPERATOR_ONLY,
    )
    return (
        User.objects.filter(Q(workshop_invitations__workshop=workshop) | operators)
        .distinct()
        .order_by("full_name")
    )


def _workshop(request, pk) -> Workshop:
    return permissions.get_visible_or_404(
        request.user, Workshop.objects.select_related("programme"), pk=pk
    )


def _managed(request, pk, action) -> Workshop:
    workshop = permissions.get_visible_or_404(
        request.user, Workshop.objects.select_related("programme"), pk=pk
    )
    permissions.require(request.user, action, workshop.programme)
    return workshop


@login_required
def create(request, pk):
    programme = permissions.programme_or_404(request.user, pk, "workshop.manage")
    form = WorkshopForm(
        request.POST or None,
        tools=toolbox_of(request.user, programme),
        members=_members(programme),
    )
    if request.method == "POST" and form.is_valid():
        try:
            workshop = services.create_workshop(programme, by=request.user, **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The workshop is saved; the invited get it by e-mail."))
            return redirect(workshop)
    return render(request, "workshops/form.html", {"form": form, "programme": programme})


@login_required
def edit(request, pk):
    workshop = _managed(request, pk, "workshop.manage")
    programme = workshop.programme
    form = WorkshopForm(
        request.POST or None,
        instance=workshop,
        tools=toolbox_of(request.user, programme),
        members=_members(programme),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_workshop(workshop, by=request.user, **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The workshop is saved."))
            return redirect(workshop)
    return render(
        request,
        "workshops/form.html",
        {"form": form, "programme": programme, "workshop": workshop},
    )


@login_required
def detail(request, pk):
    workshop = _workshop(request, pk)
    programme = workshop.programme
    can_manage = permissions.can(request.user, "workshop.manage", programme)
    invitations = list(workshop.invitations.select_related("person"))
    follow_ups = list(workshop.follow_ups.select_related("owner"))
    for follow_up in follow_ups:
        follow_up.workshop = workshop
        follow_up.can_complete = can_manage or follow_up.owner_id == request.user.pk
    return render(
        request,
        "workshops/detail.html",
        {
            "programme": programme,
            "workshop": workshop,
            "tools": workshop.tools.all(),
            "invitations": invitations,
            "follow_ups": follow_ups,
            "can_manage": can_manage,
            "follow_up_form": FollowUpForm(members=_owners(workshop)) if can_manage else None,
        },
    )


@login_required
def attendance(request, pk):
    workshop = _managed(request, pk, "workshop.manage")
    invitations = list(workshop.invitations.select_related("person"))
    form = AttendanceForm(
        request.POST or None,
        invitations=invitations,
        initial={
            "attended": [inv.person_id for inv in invitations if inv.attended],
            "notes": workshop.notes,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.record_attendance(
                workshop,
                by=request.user,
                attended=form.cleaned_data["attended"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Attendance and notes are saved."))
            return redirect(workshop)
    return render(
        request,
        "workshops/attendance.html",
        {"form": form, "programme": workshop.programme, "workshop": workshop},
    )


@login_required
@require_POST
def add_follow_up(request, pk):
    workshop = _managed(request, pk, "workshop.manage")
    form = FollowUpForm(request.POST, members=_owners(workshop))
    if form.is_valid():
        try:
            services.add_follow_up(workshop, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The follow-up is added."))
    else:
        messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
    return redirect(workshop)


@login_required
@require_POST
def follow_up_done(request, pk):
    follow_up = FollowUp.objects.select_related("workshop__programme").filter(pk=pk).first()
    if follow_up is None:
        raise Http404
    workshop = _workshop(request, follow_up.workshop_id)
    services.set_follow_up_done(follow_up, by=request.user, done=request.POST.get("done") != "0")
    return redirect(workshop)


@login_required
@require_POST
def cancel(request, pk):
    workshop = _managed(request, pk, "workshop.manage")
    try:
        services.cancel_workshop(workshop, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The workshop is cancelled; the invited are told."))
    return redirect(workshop)


@login_required
def calendar(request, pk):
    """The workshop for one's calendar: PUBLISH while it stands, CANCEL once cancelled, with
    the same UID and SEQUENCE as the e-mails."""
    workshop = _workshop(request, pk)
    invited = WorkshopInvitation.objects.filter(workshop=workshop, person=request.user).exists()
    method = ics.CANCEL if workshop.is_cancelled else ics.PUBLISH
    body = ics.workshop_calendar(workshop, method, person=request.user if invited else None)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="samskapa-workshop.ics"'
    return response
