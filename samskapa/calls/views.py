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
from samskapa.calls import services, uploads
from samskapa.calls.forms import (
    ApplicationForm,
    CallForm,
    ConflictForm,
    CriterionForm,
    DecisionForm,
    ReviewerForm,
    ScoreForm,
    SpreadForm,
    question_formset,
    questions_from,
)
from samskapa.calls.models import (
    Application,
    ApplicationStatus,
    Call,
    ConflictDeclaration,
    Gender,
    Review,
    ReviewAllocation,
)
from samskapa.core.forms import add_service_errors


def _programme_or_404(request, pk, action="programme.view"):
    return permissions.programme_or_404(request.user, pk, action)


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
            "can_manage_reviews": permissions.can(user, "call.manage_reviews", call),
        },
    )


@login_required
def apply(request, pk):
    call = _call_or_404(request, pk, "call.apply")
    application = services.application_for(call, request.user)
    if application.is_submitted:
        return redirect(application)
    submit = "submit" in request.POST
    form = ApplicationForm(
        request.POST or None,
        request.FILES or None,
        instance=application,
        call=call,
        submitting=submit,
    )
    if request.method == "POST" and form.is_valid():
        answers, ranking = form.answers()
        files, removed = form.files_to_store()
        try:
            # A refused submission leaves nothing half-saved: neither rows nor stored files.
            with uploads.removed_on_error(), transaction.atomic():
                application = services.save_draft(
                    application,
                    by=request.user,
                    answers=answers,
                    ranking=ranking,
                    files=files,
                    remove_files=removed,
                    **form.profile(),
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
        {
            "form": form,
            "call": call,
            "application": application,
            "files_sent": bool(request.FILES),
            "has_file_questions": any(q.is_file for q in form.questions),
        },
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
    answers = _answers(shown, request.user)
    panel_reviews = None
    if permissions.can(request.user, "call.manage_reviews", call):
        panel_reviews = shown.reviews.select_related("reviewer").prefetch_related(
            "scores__criterion"
        )
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
            "panel_reviews": panel_reviews,
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


def _answers(application, user) -> list:
    call = application.call
    challenges = {c.pk: c for c in call.challenges.all()}
    files = {f.question_id: f for f in application.files.all()}
    answers = []
    for question in call.questions.all():
        if question.kind == "ranking":
            value = [challenges[pk].title for pk in application.ranking if pk in challenges]
        elif question.kind == "file":
            stored = files.get(question.pk)
            value = _ShownFile(stored, stored.name_for(user)) if stored else ""
        else:
            value = application.answers.get(str(question.pk), "")
        answers.append((question, value))
    return answers


class _ShownFile:
    """A stored file as a page shows it: the name the viewer may see, its size, its link."""

    def __init__(self, stored, name):
        self.name, self.size, self.url = name, stored.size, stored.get_absolute_url()

    def __str__(self):
        return self.name


@login_required
def download(request, pk, file_pk):
    """A file of an application, to whoever may see the application (404 for anyone else)."""
    shown = permissions.get_visible_or_404(
        request.user, Application.objects.select_related("call__programme"), pk=pk
    )
    stored = shown.files.filter(pk=file_pk).first()
    if stored is None:
        raise Http404
    return uploads.file_response(stored, stored.name_for(request.user, application=shown))


# --- The review panel: operators ---


@login_required
def panel(request, pk):
    """The call's rubric, its reviewers and their spread over the submitted applications."""
    call = _call_or_404(request, pk, "call.manage_reviews")
    data = request.POST if request.method == "POST" else None
    which = request.POST.get("form") if data else None
    criterion_form = CriterionForm(data if which == "criterion" else None, prefix="criterion")
    reviewer_form = ReviewerForm(data if which == "reviewer" else None, call=call)
    spread_form = SpreadForm(
        data if which == "spread" else None,
        initial={"per_application": call.reviewers_per_application or 2},
    )
    form, action = {
        "criterion": (
            criterion_form,
            lambda d: services.add_criterion(call, by=request.user, **d),
        ),
        "reviewer": (
            reviewer_form,
            lambda d: services.assign_reviewer(call, d["reviewer"], by=request.user),
        ),
        "spread": (
            spread_form,
            lambda d: services.spread_reviewers(call, by=request.user, **d),
        ),
    }.get(which, (None, None))
    if which == "remove_criterion":
        criterion = call.criteria.filter(pk=request.POST.get("criterion")).first()
        if criterion is None:
            raise Http404
        try:
            services.remove_criterion(criterion, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("calls:panel", call.pk)
    if form is not None and form.is_valid():
        try:
            action(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The review panel is saved."))
            return redirect("calls:panel", call.pk)
    call.refresh_from_db()
    allocated = dict(
        ReviewAllocation.objects.filter(application__call=call)
        .values_list("reviewer_id")
        .annotate(n=Count("id"))
    )
    assignments = [
        (assignment, allocated.get(assignment.reviewer_id, 0))
        for assignment in call.reviewer_assignments.select_related("reviewer").order_by(
            "reviewer__full_name"
        )
    ]
    unspread = None
    if call.spread_seed is not None:  # submitted after the spread: nobody reviews them yet
        unspread = (
            call.applications.filter(status=ApplicationStatus.SUBMITTED)
            .exclude(
                pk__in=ReviewAllocation.objects.filter(application__call=call).values(
                    "application_id"
                )
            )
            .count()
        )
    return render(
        request,
        "calls/panel.html",
        {
            "unspread": unspread,
            "call": call,
            "criteria": call.criteria.all(),
            "assignments": assignments,
            "criterion_form": criterion_form,
            "reviewer_form": reviewer_form,
            "spread_form": spread_form,
        },
    )


@login_required
def reviews(request, pk):
    """Per submitted application: reviews, weighted scores, disagreement, shortlist, decision."""
    call = _call_or_404(request, pk, "call.manage_reviews")
    return render(
        request,
        "calls/reviews.html",
        {
            "call": call,
            "rows": services.review_summary(call),
            "threshold": services.DISAGREEMENT_THRESHOLD,
        },
    )


def _decidable_or_404(request, pk):
    shown = permissions.get_visible_or_404(
        request.user, Application.objects.select_related("call__programme", "applicant"), pk=pk
    )
    permissions.require(request.user, "application.decide", shown)
    return shown


@login_required
def shortlist(request, pk):
    shown = _decidable_or_404(request, pk)
    if request.method != "POST":
        return redirect("calls:reviews", shown.call_id)
    try:
        services.set_shortlisted(
            shown, by=request.user, shortlisted=request.POST.get("shortlisted") == "1"
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("calls:reviews", shown.call_id)


@login_required
def decision(request, pk):
    shown = _decidable_or_404(request, pk)
    initial = {"decision": shown.decision, "decision_rationale": shown.decision_rationale}
    form = DecisionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.decide(
                shown,
                by=request.user,
                decision=form.cleaned_data["decision"],
                rationale=form.cleaned_data["decision_rationale"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The decision is recorded."))
            return redirect("calls:reviews", shown.call_id)
    return render(
        request,
        "calls/decision.html",
        {"application": shown, "call": shown.call, "form": form},
    )


# --- The review panel: reviewers ---


@login_required
def my_reviews(request):
    """The applications given to the reviewer, with what they have declared and scored."""
    user = request.user
    given = list(
        permissions.reviewable_applications(user)
        .select_related("call__programme", "applicant", "organisation")
        .order_by("call_id", "pk")
    )
    declared = dict(
        ConflictDeclaration.objects.filter(reviewer=user).values_list(
            "application_id", "conflicted"
        )
    )
    reviewed = set(Review.objects.filter(reviewer=user).values_list("application_id", flat=True))
    rows = [
        {
            "application": application,
            "declared": application.pk in declared,
            "conflicted": declared.get(application.pk, False),
            "reviewed": application.pk in reviewed,
        }
        for application in given
    ]
    return render(request, "calls/my_reviews.html", {"rows": rows})


@login_required
def declare(request, pk):
    shown = _given_or_404(request, pk)
    permissions.require(request.user, "application.review", shown)
    if ConflictDeclaration.objects.filter(application=shown, reviewer=request.user).exists():
        return redirect("calls:my_reviews")
    form = ConflictForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            declaration = services.declare_conflict(shown, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if declaration.conflicted:
                messages.success(
                    request, _("Your conflict of interest is recorded: you will not review it.")
                )
                return redirect("calls:my_reviews")
            return redirect("calls:score", shown.pk)
    return render(
        request,
        "calls/declare.html",
        {"application": shown, "call": shown.call, "form": form, "idea": _idea(shown)},
    )


def _idea(application) -> list:
    """What a blind reviewer sees before declaring: the answers the operator marked as
    naming the idea rather than the people (Question.before_declaring), with their labels."""
    marked = application.call.questions.filter(before_declaring=True)
    return [(q.label, application.answers.get(str(q.pk), "")) for q in marked]


def _given_or_404(request, pk):
    """An application given to this reviewer, before they have declared (404 otherwise)."""
    try:
        return (
            permissions.reviewable_applications(request.user)
            .select_related("call__programme", "applicant", "organisation")
            .get(pk=pk)
        )
    except Application.DoesNotExist:
        raise Http404 from None


@login_required
def score(request, pk):
    # Visible to a reviewer only once they have declared no conflict of interest with it.
    shown = permissions.get_visible_or_404(
        request.user,
        Application.objects.select_related("call__programme", "applicant", "organisation"),
        pk=pk,
    )
    permissions.require(request.user, "application.review", shown)
    call = shown.call
    if Review.objects.filter(application=shown, reviewer=request.user).exists():
        messages.info(request, _("You have already reviewed this application."))
        return redirect("calls:my_reviews")
    form = ScoreForm(request.POST or None, criteria=call.criteria.all())
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_review(shown, by=request.user, scores=form.scores())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your review is saved."))
            return redirect("calls:my_reviews")
    return render(
        request,
        "calls/score.html",
        {
            "application": shown,
            "call": call,
            "answers": _answers(shown, request.user),
            "blind": call.blind_review,
            "form": form,
        },
    )
