from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from samskapa.accounts import permissions
from samskapa.audit.services import history_of
from samskapa.core.forms import add_service_errors
from samskapa.core.ordering import swedish
from samskapa.core.search import filter_contains
from samskapa.organisations import services
from samskapa.organisations.forms import OrganisationFilterForm, OrganisationForm
from samskapa.organisations.models import Organisation

PAGE_SIZE = 50


def _organisation_or_404(request, pk, action="organisation.view"):
    organisation = permissions.get_visible_or_404(
        request.user,
        Organisation.objects.select_related("municipality", "county", "parent"),
        action=action,
        pk=pk,
    )
    return organisation


@login_required
def index(request):
    permissions.require(request.user, "organisation.view")
    filters = OrganisationFilterForm(request.GET or None)
    organisations = (
        Organisation.objects.visible_to(request.user)
        .select_related("parent", "municipality")
        .order_by(swedish("name"), "pk")
    )
    if filters.is_valid():
        if filters.cleaned_data["q"]:
            organisations = filter_contains(organisations, "name", filters.cleaned_data["q"])
        if filters.cleaned_data["kind"]:
            organisations = organisations.filter(kind=filters.cleaned_data["kind"])
    page = Paginator(organisations, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "organisations/index.html",
        {
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "can_create": permissions.can(request.user, "organisation.create"),
        },
    )


@login_required
def detail(request, pk):
    organisation = _organisation_or_404(request, pk)
    can_view_history = permissions.can(request.user, "organisation.view_history", organisation)
    return render(
        request,
        "organisations/detail.html",
        {
            "organisation": organisation,
            "children": organisation.children.order_by("name"),
            "history": history_of(organisation)[:100] if can_view_history else None,
            "can_change": permissions.can(request.user, "organisation.change", organisation),
        },
    )


def _save(request, form, organisation=None):
    try:
        if organisation is None:
            organisation = services.create_organisation(by=request.user, **form.service_fields())
        else:
            services.update_organisation(organisation, by=request.user, **form.service_fields())
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    messages.success(request, _("The organisation is saved."))
    return redirect(reverse("organisations:detail", args=[organisation.pk]))


@login_required
def create(request):
    permissions.require(request.user, "organisation.create")
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and (response := _save(request, form)):
        return response
    return render(request, "organisations/form.html", {"form": form, "organisation": None})


@login_required
def edit(request, pk):
    organisation = _organisation_or_404(request, pk, "organisation.change")
    form = OrganisationForm(request.POST or None, instance=organisation)
    if (
        request.method == "POST"
        and form.is_valid()
        and (response := _save(request, form, organisation))
    ):
        return response
    return render(request, "organisations/form.html", {"form": form, "organisation": organisation})
