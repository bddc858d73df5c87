"""Surveys of a test environment: the list, building a survey and its questions, codes, opening
and closing, updating the fed indicators, the results; and the public page where respondents
answer by the survey's link, without signing in."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samskapa.accounts import permissions
from samskapa.core.forms import add_service_errors
from samskapa.environments.models import TestEnvironment
from samskapa.surveys import services
from samskapa.surveys.forms import CodesForm, QuestionForm, ResponseForm, SurveyForm
from samskapa.surveys.models import Survey, SurveyStatus
from samskapa.surveys.results import results as survey_results

ENVIRONMENT_RELATED = ("programme", "journey__innovator", "challenge")


def _environment(request, pk, action=None):
    return permissions.get_visible_or_404(
        request.user,
        TestEnvironment.objects.select_related(*ENVIRONMENT_RELATED),
        action=action,
        pk=pk,
    )


def _survey(request, pk, action=None):
    return permissions.get_visible_or_404(
        request.user,
        Survey.objects.select_related(*(f"environment__{r}" for r in ENVIRONMENT_RELATED)),
        action=action,
        pk=pk,
    )


@login_required
def index(request, pk):
    environment = _environment(request, pk)
    surveys = environment.surveys.annotate(
        response_count=Count("responses", distinct=True),
        question_count=Count("questions", distinct=True),
    ).order_by("-created_at", "-pk")
    return render(
        request,
        "surveys/index.html",
        {
            "environment": environment,
            "programme": environment.programme,
            "surveys": surveys,
            "can_edit": permissions.can(request.user, "impact.edit", environment),
        },
    )


@login_required
def create(request, pk):
    environment = _environment(request, pk, "impact.edit")
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.create_survey(environment, by=request.user, **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The survey is created. Add its questions."))
            return redirect(survey)
    return render(
        request,
        "surveys/form.html",
        {"form": form, "environment": environment, "programme": environment.programme},
    )


@login_required
def edit(request, pk):
    survey = _survey(request, pk, "impact.edit")
    form = SurveyForm(request.POST or None, instance=Survey.objects.get(pk=survey.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_survey(survey, by=request.user, **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The survey is saved."))
            return redirect(survey)
    return render(
        request,
        "surveys/form.html",
        {
            "form": form,
            "survey": survey,
            "environment": survey.environment,
            "programme": survey.programme,
        },
    )


@login_required
def detail(request, pk):
    survey = _survey(request, pk)
    can_edit = permissions.can(request.user, "impact.edit", survey)
    return render(
        request,
        "surveys/detail.html",
        {
            "survey": survey,
            "environment": survey.environment,
            "programme": survey.environment.programme,
            "questions": survey.questions.select_related("indicator"),
            "has_responses": survey.responses.exists(),
            "code_count": survey.codes.count(),
            "can_edit": can_edit,
            "public_url": request.build_absolute_uri(survey.get_public_url()) if can_edit else "",
            "not_replaced": services.not_replaced(survey) if can_edit else [],
            "codes_form": CodesForm(),
        },
    )


@login_required
def question(request, pk, question_pk=None):
    survey = _survey(request, pk, "impact.edit")
    instance = get_object_or_404(survey.questions, pk=question_pk) if question_pk else None
    form = QuestionForm(request.POST or None, instance=instance, survey=survey)
    if request.method == "POST" and form.is_valid():
        try:
            if instance is None:
                services.add_question(survey, by=request.user, **form.service_fields())
            else:
                services.update_question(instance, by=request.user, **form.service_fields())
        except ValidationError as error:
            _add_question_errors(form, error)
        else:
            messages.success(request, _("The question is saved."))
            return redirect(f"{survey.get_absolute_url()}#questions")
    return render(
        request,
        "surveys/question_form.html",
        {
            "form": form,
            "survey": survey,
            "question": instance,
            "environment": survey.environment,
            "programme": survey.programme,
        },
    )


def _add_question_errors(form, error):
    if hasattr(error, "error_dict"):
        renamed = {
            {"options": "options_text", "counted_options": "counted_text"}.get(name, name): m
            for name, m in error.message_dict.items()
        }
        error = ValidationError(renamed)
    add_service_errors(form, error)


@login_required
@require_POST
def remove_question(request, pk, question_pk):
    survey = _survey(request, pk, "impact.edit")
    instance = get_object_or_404(survey.questions, pk=question_pk)
    try:
        services.remove_question(instance, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The question is removed."))
    return redirect(f"{survey.get_absolute_url()}#questions")


@login_required
@require_POST
def set_status(request, pk):
    survey = _survey(request, pk, "impact.edit")
    try:
        survey = services.set_status(survey, by=request.user, status=request.POST.get("status"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if survey.status == SurveyStatus.OPEN:
            messages.success(request, _("The survey is open: share its link."))
        else:
            messages.success(request, _("The survey is closed: its link says so."))
    return redirect(survey)


@login_required
def codes(request, pk):
    survey = _survey(request, pk, "impact.edit")
    form = CodesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.generate_codes(
                survey, by=request.user, count=form.cleaned_data["count"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(count)s codes are generated.") % {"count": len(created)})
            return redirect("surveys:codes", survey.pk)
    used = {
        code_id
        for code_id in survey.responses.filter(code__isnull=False).values_list("code_id", flat=True)
    }
    return render(
        request,
        "surveys/codes.html",
        {
            "survey": survey,
            "environment": survey.environment,
            "programme": survey.programme,
            "codes": survey.codes.all(),
            "used": used,
            "form": form,
        },
    )


@login_required
@require_POST
def update_indicators(request, pk):
    survey = _survey(request, pk, "impact.edit")
    feed = services.update_indicators(survey, by=request.user)
    messages.success(
        request,
        _("The indicators are updated: %(count)s measurements from the answers.")
        % {"count": len(feed.written)},
    )
    for skipped in feed.not_replaced:
        messages.warning(request, skipped.message)
    return redirect(survey)


@login_required
def results(request, pk):
    survey = _survey(request, pk)
    return render(
        request,
        "surveys/results.html",
        {
            "survey": survey,
            "environment": survey.environment,
            "programme": survey.programme,
            "results": survey_results(survey, request.user),
        },
    )


# --- The public side: no sign-in, the token only ---------------------------------------------


def answer(request, token):
    survey = services.answerable(token)
    if survey is None:
        raise Http404
    if survey.status != SurveyStatus.OPEN:
        return render(request, "surveys/public_closed.html", {"survey": survey}, status=200)
    questions = list(survey.questions.all())
    form = ResponseForm(request.POST or None, survey=survey, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_response(
                survey,
                answers=form.answers(),
                code=form.cleaned_data.get("code", ""),
                language=(get_language() or "sv")[:2],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("survey_public:thanks", token)
    return render(
        request,
        "surveys/public_answer.html",
        {"survey": survey, "form": form},
        status=422 if form.errors else 200,
    )


def thanks(request, token):
    survey = services.answerable(token)
    if survey is None:
        raise Http404
    return render(request, "surveys/public_thanks.html", {"survey": survey})
