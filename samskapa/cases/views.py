"""The proxy library, a test environment's impact cases (forecasts and evaluations side by
side), building a case from the theory of change, its results (with the tornado chart) and the
needs owner's view of what the municipality's budget saves."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samskapa.accounts import permissions
from samskapa.cases import charts, services
from samskapa.cases.forms import CaseForm, OutcomeForm, ProxyForm
from samskapa.cases.models import CaseKind, CaseOutcome, ImpactCase, Payer, Proxy
from samskapa.core.forms import add_service_errors
from samskapa.environments.models import TestEnvironment
from samskapa.impact.models import Indicator

ENVIRONMENT_RELATED = ("programme", "journey__innovator", "challenge", "host_department")


def _environment(request, pk, action=None):
    return permissions.get_visible_or_404(
        request.user,
        TestEnvironment.objects.select_related(*ENVIRONMENT_RELATED),
        action=action,
        pk=pk,
    )


def _case(request, pk, action=None):
    impact_case = permissions.get_visible_or_404(
        request.user,
        ImpactCase.objects.select_related(
            "follows", *(f"environment__{name}" for name in ENVIRONMENT_RELATED)
        ).prefetch_related(
            Prefetch("outcomes", queryset=CaseOutcome.objects.select_related("indicator", "proxy"))
        ),
        pk=pk,
    )
    if action:
        permissions.require(request.user, action, impact_case.environment)
    return impact_case


# --- The proxy library ------------------------------------------------------------------------


@login_required
def proxies(request, pk):
    programme = permissions.programme_or_404(request.user, pk)
    can_manage = permissions.can(request.user, "proxy_library.manage", programme)
    form = ProxyForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        permissions.require(request.user, "proxy_library.manage", programme)
        if form.is_valid():
            try:
                services.create_proxy(programme, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The proxy is added to the library."))
                return redirect("cases:proxies", programme.pk)
    return render(
        request,
        "cases/proxies.html",
        {
            "programme": programme,
            "proxies": permissions.visible(request.user, programme.case_proxies.all()),
            "can_manage": can_manage,
            "form": form,
        },
    )


@login_required
def proxy_edit(request, pk):
    proxy = permissions.get_visible_or_404(
        request.user,
        Proxy.objects.select_related("programme"),
        action="proxy_library.manage",
        pk=pk,
    )
    form = ProxyForm(request.POST or None, instance=proxy)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_proxy(proxy, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The proxy is saved."))
            return redirect("cases:proxies", proxy.programme_id)
    return render(
        request,
        "cases/proxy_form.html",
        {"form": form, "programme": proxy.programme, "proxy": Proxy.objects.get(pk=proxy.pk)},
    )


# --- Cases ------------------------------------------------------------------------------------


@login_required
def environment_cases(request, pk):
    """The environment's cases: forecasts and the evaluations that follow them, side by side."""
    environment = _environment(request, pk)
    cases = list(environment.impact_cases.select_related("follows").prefetch_related("outcomes"))
    team = permissions.in_innovator_team(request.user, environment)
    for impact_case in cases:
        rows = list(impact_case.outcomes.all())
        impact_case.withheld = not team and services.rests_on_few(rows)
        impact_case.results = None if impact_case.withheld else services.results(impact_case, rows)
    forecasts = [c for c in cases if c.kind == CaseKind.FORECAST]
    pairs = [(f, [c for c in cases if c.follows_id == f.pk]) for f in forecasts]
    orphans = [
        c
        for c in cases
        if c.kind == CaseKind.EVALUATIVE and c.follows_id not in {f.pk for f in forecasts}
    ]
    return render(
        request,
        "cases/environment.html",
        {
            "environment": environment,
            "programme": environment.programme,
            "pairs": pairs,
            "orphans": orphans,
            "can_edit": permissions.can(request.user, "impact.edit", environment),
            "has_outcomes": services.outcome_steps(environment).exists(),
            "any_withheld": any(c.withheld for c in cases),
            "withheld_reason": services.WITHHELD_REASON,
        },
    )


def _outcome_forms(request, environment, rows=()):
    """One form per outcome of the theory of change; a stored row fills its step's form."""
    steps = list(services.outcome_steps(environment))
    indicators = {}
    for indicator in Indicator.objects.filter(environment=environment).order_by("name", "pk"):
        indicators.setdefault(indicator.outcome_id, []).append(indicator)
    proxy_list = list(permissions.visible(request.user, environment.programme.case_proxies.all()))
    by_step = {row.step_id: row for row in rows if row.step_id}
    forms = []
    for step in steps:
        row = by_step.get(step.pk)
        initial = {}
        if row is not None:
            initial = {
                "include": True,
                "quantity": row.quantity,
                "indicator": row.indicator_id,
                "proxy": row.proxy_id,
                "proxy_value": row.proxy_value,
                "proxy_source": row.proxy_source,
                "deadweight": row.deadweight,
                "attribution": row.attribution,
                "displacement": row.displacement,
                "drop_off": row.drop_off,
                "duration_years": row.duration_years,
                "starts": row.starts,
                "payer": row.payer,
            }
        forms.append(
            OutcomeForm(
                request.POST or None,
                prefix=f"outcome-{step.pk}",
                step=step,
                indicators=indicators.get(step.pk, ()),
                proxies=proxy_list,
                initial=initial,
            )
        )
    return forms


def _save(request, environment, form, outcome_forms, save):
    """Validate the forms, call the service, put its errors where they belong. Returns the
    saved case or None."""
    valid = form.is_valid() & all([f.is_valid() for f in outcome_forms])
    if not valid:
        return None
    included = [f for f in outcome_forms if f.included]
    try:
        return save(
            title=form.cleaned_data["title"],
            investment=form.cleaned_data["investment"],
            discount_rate=form.cleaned_data["discount_rate"],
            outcomes=[f.service_fields() for f in included],
        )
    except ValidationError as error:
        for key, errors in error.message_dict.items():
            if key.startswith("outcomes."):
                _outcomes, index, field = key.split(".", 2)
                target = included[int(index)]
                target.add_error(field if field in target.fields else None, errors)
            elif key == "outcomes":
                form.add_error(None, errors)
            else:
                form.add_error(key if key in form.fields else None, errors)
        return None


@login_required
def create(request, pk):
    environment = _environment(request, pk, "impact.edit")
    form = CaseForm(request.POST or None)
    outcome_forms = _outcome_forms(request, environment)
    if request.method == "POST":
        saved = _save(
            request,
            environment,
            form,
            outcome_forms,
            lambda **fields: services.create_case(environment, by=request.user, **fields),
        )
        if saved is not None:
            messages.success(request, _("The impact case is saved."))
            return redirect(saved)
    return render(
        request,
        "cases/form.html",
        {
            "environment": environment,
            "programme": environment.programme,
            "form": form,
            "outcome_forms": outcome_forms,
        },
    )


@login_required
def edit(request, pk):
    impact_case = _case(request, pk, "impact.edit")
    environment = impact_case.environment
    form = CaseForm(
        request.POST or None,
        initial={
            "title": impact_case.title,
            "investment": float(impact_case.investment),
            "discount_rate": impact_case.discount_rate,
        },
    )
    outcome_forms = _outcome_forms(request, environment, impact_case.outcomes.all())
    if request.method == "POST":
        saved = _save(
            request,
            environment,
            form,
            outcome_forms,
            lambda **fields: services.update_case(impact_case, by=request.user, **fields),
        )
        if saved is not None:
            messages.success(request, _("The impact case is saved."))
            return redirect(saved)
    return render(
        request,
        "cases/form.html",
        {
            "environment": environment,
            "programme": environment.programme,
            "form": form,
            "outcome_forms": outcome_forms,
            "case": impact_case,
        },
    )


@login_required
@require_POST
def evaluate(request, pk):
    forecast = _case(request, pk, "impact.edit")
    try:
        evaluation = services.start_evaluation(forecast, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(forecast)
    messages.success(
        request,
        _("An evaluative case follows the forecast: replace its estimates with measured data."),
    )
    return redirect("cases:edit", evaluation.pk)


def _suppressed_rows(request, impact_case, rows):
    """Outside the innovator's own team, a quantity measured on fewer than 5 people is not
    shown — nor is any figure of its case (services.withheld)."""
    team = permissions.in_innovator_team(request.user, impact_case.environment)
    for row in rows:
        row.suppressed = not team and services.rests_on_few([row])
    return rows


@login_required
def detail(request, pk):
    impact_case = _case(request, pk)
    rows = _suppressed_rows(request, impact_case, list(impact_case.outcomes.all()))
    withheld = any(row.suppressed for row in rows)
    results = None if withheld else services.results(impact_case, rows)
    follows_results = None
    if impact_case.follows_id and not withheld:
        follows_rows = list(impact_case.follows.outcomes.all())
        if not services.withheld(request.user, impact_case.follows, follows_rows):
            follows_results = services.results(impact_case.follows, follows_rows)
    return render(
        request,
        "cases/detail.html",
        {
            "case": impact_case,
            "environment": impact_case.environment,
            "programme": impact_case.environment.programme,
            "rows": rows,
            "results": results,
            "by_payer": _by_payer(results),
            "tornado": charts.tornado(results) if results else None,
            "parameter_labels": charts.PARAMETER_LABELS,
            "follows_results": follows_results,
            "withheld": withheld,
            "withheld_reason": services.WITHHELD_REASON,
            "can_edit": permissions.can(request.user, "impact.edit", impact_case.environment),
        },
    )


@login_required
def budget(request, pk):
    """The needs owner's view: what the municipality's own budget saves per year, next to what
    the pilot costs."""
    impact_case = _case(request, pk)
    rows = list(impact_case.outcomes.all())
    withheld = services.withheld(request.user, impact_case, rows)
    return render(
        request,
        "cases/budget.html",
        {
            "case": impact_case,
            "environment": impact_case.environment,
            "programme": impact_case.environment.programme,
            "budget": None if withheld else services.budget_view(impact_case, rows),
            "results": None if withheld else services.results(impact_case, rows),
            "withheld": withheld,
            "withheld_reason": services.WITHHELD_REASON,
        },
    )


def _by_payer(results):
    if not results:
        return []
    labels = dict(Payer.choices)
    return [
        (labels[payer], value)
        for payer, value in results["by_payer"].items()
        if value or payer == "kommun"
    ]
