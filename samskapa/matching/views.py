"""Matching pages for the call's operators: settings and runs, the whiteboard of a run (lock,
exclude, run again), comparing two runs, and confirming one. Thin: the services decide."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samskapa.accounts import permissions
from samskapa.calls.models import Call
from samskapa.core.forms import add_service_errors
from samskapa.matching import services
from samskapa.matching.forms import ConfirmForm, SettingsForm
from samskapa.matching.models import LARGE_FIELDS, Match, MatchingRun

RUNS_PER_PAGE = 20


def _call(request, pk) -> Call:
    return permissions.get_visible_or_404(
        request.user, Call.objects.select_related("programme"), action="call.match", pk=pk
    )


def _run(request, pk) -> MatchingRun:
    runs = MatchingRun.objects.select_related("call__programme", "created_by", "based_on")
    return permissions.get_visible_or_404(request.user, runs, action="call.match", pk=pk)


def _form_for(call, data=None, settings=None, current=None):
    """The settings form for `call`, filled from `settings` (a run's) or the defaults.
    Returns (form, candidates basis, candidates, means). `current`: the call's pool, if read."""
    basis, applications, means, challenges = current or services.pool(call)
    if settings is None:
        settings = services.default_settings(call, len(applications), challenges)
    else:
        # A run's settings for challenges still in the call; defaults for new ones.
        defaults = services.default_settings(call, len(applications), challenges)
        settings = {
            **defaults,
            **settings,
            "challenges": {**defaults["challenges"], **settings["challenges"]},
        }
    form = SettingsForm(data, challenges=challenges, initial=SettingsForm.initial_from(settings))
    return form, basis, applications, means


@login_required
def call_matching(request, pk):
    """The call's matching: what would be matched, the settings form (POST runs the engine),
    the runs so far and the confirmed matches."""
    call = _call(request, pk)
    form, basis, applications, means = _form_for(call, request.POST or None)
    if request.method == "POST":
        # The page offers no form when no run can start (matches confirmed, the call open, no
        # candidates): a refusal is a message then, not an error on a form that is not shown.
        refusal = services.run_refusal(call, applications)
        if refusal is None and form.is_valid():
            try:
                run = services.run_matching(call, by=request.user, settings=form.to_settings())
            except ValidationError as error:
                refusal = services.run_refusal(call) and " ".join(error.messages)
                add_service_errors(form, error)
            else:
                messages.success(request, _("Run %(number)s is done.") % {"number": run.number})
                return redirect(run)
        if refusal:
            messages.error(request, refusal)
            return redirect("matching:call", call.pk)
    runs = call.matching_runs.select_related("created_by").defer(*LARGE_FIELDS).order_by("-number")
    page = Paginator(runs, RUNS_PER_PAGE).get_page(request.GET.get("page"))
    matches = list(services.confirmed_matches(call))
    return render(
        request,
        "matching/call.html",
        {
            "call": call,
            "programme": call.programme,
            "form": form,
            "basis": basis,
            "candidates": applications,
            "unscored": [a for a in applications if means.get(a.pk) is None],
            "page": page,
            "matches": matches,
            "confirmed_run": matches[0].run if matches else None,
        },
    )


@login_required
def run_page(request, pk):
    """The whiteboard of one run."""
    run = _run(request, pk)
    call = run.call
    matches = Match.objects.filter(call=call)
    confirmed_run_id = matches.values_list("run_id", flat=True).first()
    others = (
        call.matching_runs.exclude(pk=run.pk)
        .order_by("-number")
        .values_list("pk", "number", "label")[:50]
    )
    current = services.pool(call)
    form, _basis, _applications, _means = _form_for(call, settings=run.settings, current=current)
    board = services.whiteboard(run)
    return render(
        request,
        "matching/run.html",
        {
            "run": run,
            "call": call,
            "board": board,
            "genders": services.gender_summary(run, board["names"]),
            "settings": services.settings_summary(run),
            "stale": services.staleness(run, current=current) if confirmed_run_id is None else [],
            "confirmed_run_id": confirmed_run_id,
            "others": list(others),
            "not_confirmed": confirmed_run_id is None,
            "form": form,
        },
    )


@login_required
@require_POST
def rerun(request, pk):
    """Run again from this run's whiteboard: with one lock/unlock/exclude/include, or with
    changed settings (keeping the run's locks and exclusions)."""
    run = _run(request, pk)
    try:
        if request.POST.get("action") == "same":
            new = services.rerun(run, by=request.user)
        elif request.POST.get("action") == "settings":
            form, *_rest = _form_for(run.call, request.POST, settings=run.settings)
            if not form.is_valid():
                messages.error(
                    request,
                    _("The settings are not valid: %(errors)s")
                    % {"errors": " ".join(m for errors in form.errors.values() for m in errors)},
                )
                return redirect(run)
            new = services.rerun(run, by=request.user, settings=form.to_settings())
        else:
            change = (
                request.POST.get("action"),
                _int(request.POST.get("application")),
                _int(request.POST.get("challenge")),
            )
            if None in change[1:]:
                raise ValidationError(_("Choose the applicant and the challenge."))
            new = services.rerun(run, by=request.user, change=change)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(run)
    messages.success(
        request,
        _("Run %(number)s is done, from run %(base)s.")
        % {"number": new.number, "base": run.number},
    )
    return redirect(new)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
def compare(request, pk):
    """Two runs of the call side by side (GET first=<run id>&second=<run id>)."""
    call = _call(request, pk)
    runs = call.matching_runs.select_related("created_by").order_by("-number")
    choices = list(runs.values_list("pk", "number", "label"))
    first_pk, second_pk = _int(request.GET.get("first")), _int(request.GET.get("second"))
    if first_pk is None and second_pk is None and len(choices) >= 2:
        first_pk, second_pk = choices[1][0], choices[0][0]
    pair = {run.pk: run for run in runs.filter(pk__in=[first_pk, second_pk])}
    if (first_pk or second_pk) and (first_pk not in pair or second_pk not in pair):
        raise Http404
    first, second = pair.get(first_pk), pair.get(second_pk)
    return render(
        request,
        "matching/compare.html",
        {
            "call": call,
            "choices": choices,
            "first": first,
            "second": second,
            "comparison": services.compare(first, second) if first and second else None,
            "settings_rows": [
                (label, one, other)
                for (label, one), (_label, other) in zip(
                    services.settings_summary(first), services.settings_summary(second), strict=True
                )
            ]
            if first and second
            else [],
        },
    )


@login_required
def confirm(request, pk):
    """The confirmation step: what confirming creates, then POST to confirm."""
    run = _run(request, pk)
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.confirm_run(
                run, by=request.user, accept_relaxed=form.cleaned_data["accept_relaxed"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The matches of run %(number)s are confirmed.") % {"number": run.number},
            )
            return redirect("matching:call", run.call_id)
    existing = Match.objects.filter(call=run.call).select_related("run").first()
    board = services.whiteboard(run)
    return render(
        request,
        "matching/confirm.html",
        {
            "run": run,
            "call": run.call,
            "form": form,
            "board": board,
            "genders": services.gender_summary(run, board["names"]),
            "stale": services.staleness(run) if existing is None else [],
            "existing": existing,
        },
    )
