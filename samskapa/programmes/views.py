from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samskapa.accounts import permissions
from samskapa.accounts.models import Membership, Role
from samskapa.audit.models import AuditEntry
from samskapa.core.forms import add_service_errors
from samskapa.programmes import services
from samskapa.programmes.forms import MembershipForm, PhaseForm, ProgrammeForm
from samskapa.programmes.models import Phase, Programme


def _programme_or_404(request, pk, action="programme.view"):
    programmes = Programme.objects.select_related("operator_organisation")
    return permissions.programme_or_404(request.user, pk, action, queryset=programmes)


@login_required
def create(request):
    permissions.require(request.user, "programme.create")
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.create_programme(by=request.user, **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The programme is created with the four phases of the method.")
            )
            return redirect(programme)
    return render(request, "programmes/form.html", {"form": form, "programme": None})


@login_required
def detail(request, pk):
    programme = _programme_or_404(request, pk)
    phases = programme.phases.prefetch_related("criteria")
    needs_owners = programme.needs_owners.select_related("parent").order_by("name")
    groups = (
        permissions.visible(request.user, Membership.objects.filter(programme=programme))
        .filter(role__in=[Role.STEERING_GROUP, Role.NEEDS_OWNER])
        .select_related("user", "department")
    )
    return render(
        request,
        "programmes/detail.html",
        {
            "programme": programme,
            "phases": phases,
            "needs_owners": needs_owners,
            "steering_group": [m for m in groups if m.role == Role.STEERING_GROUP],
            "needs_owner_group": [m for m in groups if m.role == Role.NEEDS_OWNER],
            "my_roles": [
                Role(r).label for r in sorted(permissions.roles_in(request.user, programme))
            ],
            "can_change": permissions.can(request.user, "programme.change", programme),
            "can_manage_members": permissions.can(request.user, "membership.change", programme),
            "can_view_history": permissions.can(request.user, "audit.view", programme),
        },
    )


@login_required
def edit(request, pk):
    programme = _programme_or_404(request, pk, "programme.change")
    form = ProgrammeForm(request.POST or None, instance=programme)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_programme(programme, by=request.user, **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The programme is saved."))
            return redirect(programme)
    return render(request, "programmes/form.html", {"form": form, "programme": programme})


@login_required
def edit_phase(request, pk, kind):
    programme = _programme_or_404(request, pk, "phase.change")
    phase = permissions.get_visible_or_404(
        request.user, Phase.objects.filter(programme=programme), kind=kind
    )
    form = PhaseForm(request.POST or None, instance=phase)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_phase(
                phase,
                by=request.user,
                starts_on=form.cleaned_data["starts_on"],
                ends_on=form.cleaned_data["ends_on"],
                criteria=form.cleaned_data["criteria"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The phase is saved."))
            return redirect(programme)
    return render(
        request,
        "programmes/phase_form.html",
        {"form": form, "programme": programme, "phase": phase},
    )


def _member_list(programme):
    return programme.memberships.select_related("user", "department", "organisation").order_by(
        "role", "user__full_name"
    )


@login_required
def members(request, pk):
    """All members with their roles; operators add people here (htmx updates the list in place)."""
    programme = _programme_or_404(request, pk, "membership.view_all")
    can_change = permissions.can(request.user, "membership.change", programme)
    form = MembershipForm(request.POST or None, programme=programme)
    if request.method == "POST":
        permissions.require(request.user, "membership.change", programme)
        if form.is_valid():
            try:
                membership = services.add_member(programme, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("%(email)s is added.") % {"email": membership.user.email}
                )
                if not request.htmx:
                    return redirect("programmes:members", pk=programme.pk)
                form = MembershipForm(programme=programme)
    context = {
        "programme": programme,
        "form": form,
        "members": _member_list(programme),
        "can_change": can_change,
        "roles": Role,
    }
    template = "programmes/_members_panel.html" if request.htmx else "programmes/members.html"
    return render(request, template, context)


@login_required
@require_POST
def remove_member(request, pk, membership_pk):
    programme = _programme_or_404(request, pk, "membership.change")
    membership = permissions.get_visible_or_404(
        request.user,
        Membership.objects.filter(programme=programme).select_related("user"),
        pk=membership_pk,
    )
    try:
        services.remove_member(membership, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("%(person)s no longer has that role.") % {"person": membership.user}
        )
    return redirect("programmes:members", pk=programme.pk)


@login_required
def history(request, pk):
    programme = _programme_or_404(request, pk, "audit.view")
    entries = permissions.visible(
        request.user, AuditEntry.objects.filter(programme=programme)
    ).select_related("actor", "content_type")[:500]
    return render(request, "programmes/history.html", {"programme": programme, "entries": entries})
