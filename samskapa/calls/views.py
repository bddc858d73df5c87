"""Operators' pages for calls, the public call page and the applicant's pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from samskapa.accounts import permissions
from samskapa.calls import services
from samskapa.calls.forms import ApplicationForm, CallForm, question_formset, questions_from
from samskapa.calls.models import Application, ApplicationStatus, Call, Gender
from samskapa.core.forms import add_service_errors
from samskapa.programmes.models import Programme


def _programme_or_404(request, pk, action="programme.view"):
    programme = permissions.get_visible_or_404(request.user, Programme.objects.all(), pk=pk)
    permissions.require(request.user, action, programme)
    return programme


def _call_or_404(request, pk, action=None):
    calls = Call.objects.select_related("programme")
    if not request.user.is_authenticated:  # the public may read an open call
        try:
            return calls.open_now().get(pk=pk)
        except Call.DoesNotExist:
            raise Http404 from None
    call = permissions.get_visible_or_404(request.user, calls, pk=pk)
    if action:
        permissions.require(request.user, action, call)
    return call


@login_required
def index(request, pk):
    programme = _programme_or_404(request, pk)
    calls = (
        permissions.visible(request.user, programme.calls.all())
        .annotate(
            submitted=Count("applications", filter=_submitted()),
        )
        .order_by("-opens_at", "title")
    )
    return render(
        request,
        "calls/index.html",
        {
            "programme": programme,
            "calls": calls,
            "can_create": permissions.can(request.user, "call.create", programme),
        },
    )


def _submitted():
    from django.db.models import Q

    return Q(applications__status=ApplicationStatus.SUBMITTED)


@login_required
def create(request, pk):
    programme = _programme_or_404(request, pk, "call.create")
    form = CallForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            call = services.create_call(programme, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The call is saved. Now add its questions."))
            return redirect("calls:edit", call.pk)
    return render(request, "calls/form.html", {"form": form, "programme": programme})


@login_required
def edit(request, pk):
    call = _call_or_404(request, pk, "call.change")
    data = request.POST or None
    form = CallForm(data, instance=call, programme=call.programme)
    formset = question_formset(call, data)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            with transaction.atomic():
                services.update_call(call, by=request.user, **form.cleaned_data)
                services.set_questions(call, questions_from(formset), by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The call is saved."))
            return redirect(call)
    return render(
        request,
        "calls/form.html",
        {"form": form, "formset": formset, "programme": call.programme, "call": call},
    )


def detail(request, pk):
    call = _call_or_404(request, pk)
    user = request.user
    own = None
    if user.is_authenticated:
        own = Application.objects.filter(call=call, applicant=user).first()
    return render(
        request,
        "calls/detail.html",
        {
            "call": call,
            "programme": call.programme,
            "challenges": call.challenges.select_related("department").order_by("title"),
            "application": own,
            "can_change": permissions.can(user, "call.change", call),
            "can_view_applications": permissions.can(user, "call.view_applications", call),
        },
    )


@login_required
def apply(request, pk):
    call = _call_or_404(request, pk, "call.apply")
    application = services.application_for(call, request.user)
    if application.is_submitted:
        return redirect(application)
    submit = "submit" in request.POST
    form = ApplicationForm(request.POST or None, instance=application, call=call, submitting=submit)
    if request.method == "POST" and form.is_valid():
        answers, ranking = form.answers()
        try:
            with transaction.atomic():  # a refused submission leaves nothing half-saved
                application = services.save_draft(
                    application, by=request.user, answers=answers, ranking=ranking, **form.profile()
                )
                if submit:
                    application = services.submit_application(application, by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if submit:
                messages.success(
                    request, _("Your application is submitted. We have sent you a confirmation.")
                )
                return redirect(application)
            messages.success(request, _("Your draft is saved. Submit it before the deadline."))
            return redirect("calls:apply", call.pk)
    return render(
        request,
        "calls/apply.html",
        {"form": form, "call": call, "application": application},
    )


@login_required
def mine(request):
    applications = (
        Application.objects.filter(applicant=request.user)
        .select_related("call__programme")
        .order_by("-created_at")
    )
    return render(request, "calls/mine.html", {"applications": applications})


@login_required
def application(request, pk):
    shown = permissions.get_visible_or_404(
        request.user,
        Application.objects.select_related("call__programme", "applicant", "organisation"),
        pk=pk,
    )
    call = shown.call
    is_own = shown.applicant_id == request.user.pk
    blind = (
        call.blind_review and not is_own and not permissions.can(request.user, "call.change", call)
    )
    challenges = {c.pk: c for c in call.challenges.all()}
    answers = []
    for question in call.questions.all():
        if question.kind == "ranking":
            value = [challenges[pk].title for pk in shown.ranking if pk in challenges]
        else:
            value = shown.answers.get(str(question.pk), "")
        answers.append((question, value))
    return render(
        request,
        "calls/application.html",
        {
            "application": shown,
            "call": call,
            "answers": answers,
            "is_own": is_own,
            "blind": blind,
            "can_edit": is_own and not shown.is_submitted and call.is_open,
        },
    )


@login_required
def applications(request, pk):
    call = _call_or_404(request, pk, "call.view_applications")
    shown = permissions.visible(request.user, call.applications.all()).select_related(
        "applicant", "organisation"
    )
    blind = call.blind_review and not permissions.can(request.user, "call.change", call)
    # Gender only in aggregate, and only to the call's operators.
    genders = None
    if permissions.can(request.user, "call.change", call):
        counts = dict(
            call.applications.filter(status=ApplicationStatus.SUBMITTED)
            .values_list("gender")
            .annotate(n=Count("id"))
        )
        genders = [(label, counts.get(value, 0)) for value, label in Gender.choices]
        genders.append((_("Not stated"), counts.get("", 0)))
    return render(
        request,
        "calls/applications.html",
        {"call": call, "applications": shown, "blind": blind, "genders": genders},
    )
