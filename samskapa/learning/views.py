"""A programme's learning log, its lessons' forms, the operators' approval queue, and the PDF
booklet of lessons chosen on the log."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from samskapa.accounts import permissions
from samskapa.core.forms import add_service_errors
from samskapa.learning import booklet, services
from samskapa.learning.forms import BookletForm, DecisionForm, LessonForm
from samskapa.learning.models import Approval, Lesson
from samskapa.reports.pdf import pdf_response


def _lessons(user, programme):
    return (
        permissions.visible(user, programme.lessons.all())
        .select_related("author", "approval_decided_by")
        .prefetch_related("themes")
        .defer("search_stems")
    )


@login_required
def index(request, pk):
    programme = permissions.programme_or_404(request.user, pk)
    booklet_form = BookletForm.for_list(request.GET)
    return render(
        request,
        "learning/index.html",
        {
            "programme": programme,
            "lessons": _lessons(request.user, programme),
            "booklet": booklet_form,
            "chosen": booklet_form.chosen,
            "booklet_limit": booklet.MAX_LESSONS,
            "can_create": permissions.can(request.user, "lesson.create", programme),
            "can_approve": permissions.can(request.user, "lesson.approve", programme),
        },
    )


@login_required
@require_safe
def booklet_pdf(request, pk):
    """The lessons chosen on the programme's learning log as a PDF booklet (only those of the
    programme the person may see; others are left out). A refused choice goes back to the log
    with the message, the ticked lessons and the title kept."""
    programme = permissions.programme_or_404(request.user, pk)
    form = BookletForm(request.GET)
    if form.is_valid():
        try:
            pdf = booklet.booklet_for(
                request.user,
                form.cleaned_data["ids"],
                title=form.cleaned_data["title"],
                queryset=programme.lessons.all(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            title = form.cleaned_data["title"] or booklet.default_title()
            return pdf_response(pdf, title)
    for message in form.messages():
        messages.error(request, message)
    return redirect(form.back_to_list(reverse("learning:index", args=[programme.pk])))


@login_required
def create(request, pk):
    programme = permissions.programme_or_404(request.user, pk, "lesson.create")
    form = LessonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_lesson(programme, by=request.user, **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The lesson is saved."))
            return redirect("learning:index", programme.pk)
    return render(request, "learning/form.html", {"form": form, "programme": programme})


@login_required
def edit(request, pk):
    lesson = permissions.get_visible_or_404(
        request.user, Lesson.objects.select_related("programme"), action="lesson.change", pk=pk
    )
    form = LessonForm(request.POST or None, instance=lesson)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_lesson(lesson, by=request.user, **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The lesson is saved."))
            return redirect("learning:index", lesson.programme_id)
    return render(
        request,
        "learning/form.html",
        {"form": form, "programme": lesson.programme, "lesson": lesson},
    )


@login_required
def approvals(request, pk):
    programme = permissions.programme_or_404(request.user, pk, "lesson.approve")
    waiting = _lessons(request.user, programme).filter(approval=Approval.REQUESTED)
    return render(
        request,
        "learning/approvals.html",
        {"programme": programme, "lessons": waiting.order_by("created_at", "pk")},
    )


@login_required
@require_POST
def decide(request, pk):
    lesson = permissions.get_visible_or_404(
        request.user, Lesson.objects.select_related("programme"), action="lesson.approve", pk=pk
    )
    form = DecisionForm(request.POST)
    approve = request.POST.get("decision") == "approve"
    if form.is_valid():
        try:
            services.decide(
                lesson, by=request.user, approve=approve, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if approve:
                messages.success(request, _("The lesson is approved for the lessons library."))
            else:
                messages.success(request, _("The lesson is not approved; the author sees why."))
    else:
        messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
    return redirect(reverse("learning:approvals", args=[lesson.programme_id]))
