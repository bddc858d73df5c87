"""Measuring effects: a test environment's theory of change and its indicators, manual entry of
measurements, the programme's indicator library, and the dashboards per test environment and
per challenge (with their XLSX exports)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from samskapa.accounts import permissions
from samskapa.challenges.models import Challenge
from samskapa.core.forms import add_service_errors
from samskapa.environments.models import TestEnvironment
from samskapa.impact import charts, dashboards, exports, services
from samskapa.impact.forms import (
    IndicatorForm,
    LibraryChoiceForm,
    LibraryIndicatorForm,
    MeasurementForm,
    StepForm,
)
from samskapa.impact.models import (
    ChangeStep,
    Indicator,
    LibraryIndicator,
    StepKind,
)

ENVIRONMENT_RELATED = ("programme", "journey__innovator", "challenge", "host_department")


def _environment(request, pk, action=None):
    return permissions.get_visible_or_404(
        request.user,
        TestEnvironment.objects.select_related(*ENVIRONMENT_RELATED),
        action=action,
        pk=pk,
    )


def _step(request, pk, action):
    step = get_object_or_404(ChangeStep.objects.select_related("theory"), pk=pk)
    step.environment = _environment(request, step.theory.environment_id, action)
    step.theory.environment = step.environment
    return step


def _indicator(request, pk, action=None):
    indicator = permissions.get_visible_or_404(
        request.user,
        Indicator.objects.select_related("outcome", "library_indicator"),
        pk=pk,
    )
    indicator.environment = _environment(request, indicator.environment_id, action)
    return indicator


def _columns(environment):
    theory = services.theory_of(environment)
    steps = []
    if theory is not None:
        steps = list(
            theory.steps.prefetch_related(
                Prefetch("indicators", queryset=Indicator.objects.order_by("name", "pk"))
            )
        )
    columns = []
    for kind, label in StepKind.choices:
        column = [s for s in steps if s.kind == kind]
        for index, step in enumerate(column):
            step.first, step.last = index == 0, index == len(column) - 1
        columns.append({"kind": kind, "label": label, "steps": column})
    return columns


@login_required
def theory(request, pk):
    environment = _environment(request, pk)
    return _theory_page(request, environment)


def _theory_page(request, environment, *, form=None, status=200):
    can_edit = permissions.can(request.user, "impact.edit", environment)
    if can_edit and form is None:
        form = StepForm(kind=request.GET.get("kind"))
    return render(
        request,
        "impact/theory.html",
        {
            "environment": environment,
            "programme": environment.programme,
            "columns": _columns(environment),
            "can_edit": can_edit,
            "form": form,
        },
        status=status,
    )


@login_required
@require_POST
def add_step(request, pk):
    environment = _environment(request, pk, "impact.edit")
    form = StepForm(request.POST)
    if form.is_valid():
        try:
            services.add_step(environment, by=request.user, **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The link is added to the theory of change."))
            return redirect("impact:theory", environment.pk)
    return _theory_page(request, environment, form=form, status=422)


@login_required
def edit_step(request, pk):
    step = _step(request, pk, "impact.edit")
    form = StepForm(request.POST or None, instance=step)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update_step(step, by=request.user, **form.service_fields())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The link is saved."))
                return redirect("impact:theory", step.environment.pk)
        status = 422
    return render(
        request,
        "impact/step_form.html",
        {"form": form, "environment": step.environment, "programme": step.environment.programme},
        status=status,
    )


@login_required
@require_POST
def remove_step(request, pk):
    step = _step(request, pk, "impact.edit")
    try:
        services.remove_step(step, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The link is removed."))
    return redirect("impact:theory", step.environment.pk)


@login_required
@require_POST
def move_step(request, pk):
    step = _step(request, pk, "impact.edit")
    services.move_step(step, by=request.user, up=request.POST.get("direction") != "down")
    return redirect(reverse("impact:theory", args=[step.environment.pk]) + f"#step-{step.pk}")


@login_required
def create_indicator(request, pk):
    outcome = _step(request, pk, "impact.edit")
    if outcome.kind != StepKind.OUTCOME:
        raise Http404  # never linked: indicators measure outcomes
    environment = outcome.environment
    library = services.library_for(environment).order_by("name", "pk")
    chooser = LibraryChoiceForm(request.GET or None, library=library)
    initial = {}
    if request.GET and chooser.is_valid():
        chosen = chooser.cleaned_data["library"]
        initial = {
            "library_indicator": chosen.pk,
            "name": chosen.name,
            "definition": chosen.definition,
            "unit": chosen.unit,
            "direction": chosen.direction,
        }
    form = IndicatorForm(request.POST or None, initial=initial, library=library)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            fields = form.service_fields()
            try:
                indicator = services.create_indicator(outcome, by=request.user, **fields)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The indicator is added."))
                return redirect("impact:indicator", indicator.pk)
        status = 422
    return render(
        request,
        "impact/indicator_form.html",
        {
            "form": form,
            "chooser": chooser if library else None,
            "outcome": outcome,
            "environment": environment,
            "programme": environment.programme,
        },
        status=status,
    )


@login_required
def edit_indicator(request, pk):
    indicator = _indicator(request, pk, "impact.edit")
    form = IndicatorForm(request.POST or None, instance=indicator, editing=True)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update_indicator(indicator, by=request.user, **form.service_fields())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The indicator is saved."))
                return redirect("impact:indicator", indicator.pk)
        status = 422
    return render(
        request,
        "impact/indicator_form.html",
        {
            "form": form,
            "indicator": _indicator(request, pk),
            "outcome": indicator.outcome,
            "environment": indicator.environment,
            "programme": indicator.environment.programme,
        },
        status=status,
    )


@login_required
def indicator(request, pk):
    return _indicator_page(request, _indicator(request, pk))


def _indicator_page(request, indicator, *, form=None, replacing=None, status=200):
    environment = indicator.environment
    can_edit = permissions.can(request.user, "impact.edit", environment)
    series = dashboards.indicator_series(request.user, indicator, environment)
    if can_edit and form is None:
        form = MeasurementForm()
    return render(
        request,
        "impact/indicator.html",
        {
            "indicator": indicator,
            "environment": environment,
            "programme": environment.programme,
            "series": series,
            "table": charts.data_table(
                series, caption=_("Measurements of %(name)s") % {"name": indicator.name}
            ),
            "can_edit": can_edit,
            "form": form,
            "replacing": replacing,
        },
        status=status,
    )


@login_required
@require_POST
def add_measurement(request, pk):
    indicator = _indicator(request, pk, "impact.edit")
    form = MeasurementForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.record_measurement(
                indicator,
                by=request.user,
                period=data["period"],
                value=data["value"],
                respondents=data["respondents"],
                replace=data["replace"],
            )
        except services.ReplaceNeeded as needed:
            confirm = MeasurementForm(
                initial={
                    "period": data["period"],
                    "value": data["value"],
                    "respondents": data["respondents"],
                    "replace": True,
                }
            )
            return _indicator_page(
                request, indicator, form=confirm, replacing=needed.existing, status=409
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if data["replace"]:
                messages.success(request, _("The value for the period is replaced."))
            else:
                messages.success(request, _("The measurement is saved."))
            return redirect("impact:indicator", indicator.pk)
    return _indicator_page(request, indicator, form=form, status=422)


# Dashboards ---------------------------------------------------------------------------------


def _figures(series_list, prefix):
    for index, series in enumerate(series_list):
        series.chart = charts.line_chart(series, chart_id=f"{prefix}{index}")
        series.table = charts.data_table(
            series, caption=_("%(name)s by period") % {"name": series.name}
        )
    return series_list


@login_required
@require_safe
def environment_dashboard(request, pk):
    environment = _environment(request, pk)
    series = dashboards.environment_dashboard(request.user, environment)
    return render(
        request,
        "impact/environment_dashboard.html",
        {
            "environment": environment,
            "programme": environment.programme,
            "series_list": _figures(series, "chart-"),
            "team": permissions.in_innovator_team(request.user, environment),
        },
    )


@login_required
@require_safe
def environment_dashboard_xlsx(request, pk):
    environment = _environment(request, pk)
    series = dashboards.environment_dashboard(request.user, environment, limit=None)
    title = _("Impact: %(name)s") % {"name": environment.journey.innovator.full_name}
    content = exports.workbook(title, [(_("Indicators"), series, _("Outcome"))])
    return exports.xlsx_response(content, title)


def _challenge(request, pk):
    return permissions.get_visible_or_404(
        request.user,
        Challenge.objects.select_related("programme", "department"),
        action="impact.view_challenge",
        pk=pk,
    )


@login_required
@require_safe
def challenge_dashboard(request, pk):
    challenge = _challenge(request, pk)
    board = dashboards.challenge_dashboard(request.user, challenge)
    return render(
        request,
        "impact/challenge_dashboard.html",
        {
            "challenge": challenge,
            "programme": challenge.programme,
            "shared": _figures(board.shared, "shared-"),
            "own": _figures(board.own, "own-"),
            "environments": board.environments,
        },
    )


@login_required
@require_safe
def challenge_dashboard_xlsx(request, pk):
    challenge = _challenge(request, pk)
    board = dashboards.challenge_dashboard(request.user, challenge, limit=None)
    title = _("Impact: %(name)s") % {"name": challenge.title}
    content = exports.workbook(
        title,
        [
            (_("Common indicators"), board.shared, _("Test environments")),
            (_("Own indicators"), board.own, _("Innovator")),
        ],
    )
    return exports.xlsx_response(content, title)


# The indicator library ----------------------------------------------------------------------


@login_required
def library(request, pk):
    programme = permissions.programme_or_404(request.user, pk)
    can_manage = permissions.can(request.user, "indicator_library.manage", programme)
    form = None
    status = 200
    if request.method == "POST":
        permissions.require(request.user, "indicator_library.manage", programme)
        form = LibraryIndicatorForm(request.POST, programme=programme)
        if form.is_valid():
            try:
                services.create_library_indicator(
                    programme, by=request.user, **form.service_fields()
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The indicator is added to the library."))
                return redirect("impact:library", programme.pk)
        status = 422
    elif can_manage:
        form = LibraryIndicatorForm(programme=programme)
    items = permissions.visible(
        request.user, LibraryIndicator.objects.filter(programme=programme)
    ).select_related("challenge")
    return render(
        request,
        "impact/library.html",
        {"programme": programme, "items": items, "can_manage": can_manage, "form": form},
        status=status,
    )


@login_required
def edit_library_indicator(request, pk):
    item = permissions.get_visible_or_404(
        request.user, LibraryIndicator.objects.select_related("programme"), pk=pk
    )
    permissions.require(request.user, "indicator_library.manage", item.programme)
    form = LibraryIndicatorForm(request.POST or None, instance=item, programme=item.programme)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update_library_indicator(item, by=request.user, **form.service_fields())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The library indicator is saved."))
                return redirect("impact:library", item.programme_id)
        status = 422
    return render(
        request,
        "impact/library_form.html",
        {"form": form, "programme": item.programme, "item": item},
        status=status,
    )
