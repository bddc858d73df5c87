"""The public lessons library: the approved public lessons of every programme, for anyone.

No sign-in and no permission module here, as on the rest of the portal: what is public is
decided by the lesson alone (`Lesson.objects.public()`). The PDF booklet of chosen lessons
(learning/booklet.py) also takes any lesson a signed-in person may see, through the permission
module.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from samskapa.learning import booklet
from samskapa.learning.forms import BookletForm, LibraryFilterForm
from samskapa.learning.models import Lesson
from samskapa.reports.pdf import pdf_response

PAGE_SIZE = 20


def public_lessons():
    """Public lessons with what the library shows of them, in a fixed number of queries."""
    return (
        Lesson.objects.public()
        .select_related("programme")
        .prefetch_related("themes")
        .defer("search_stems")
        .order_by("-approval_decided_at", "-pk")
    )


# The library's own parameters, kept (as hidden fields) when a booklet is asked for.
LIBRARY_KEYS = ("q", "phase", "theme", "page")


@require_safe
def library(request):
    filters = LibraryFilterForm(request.GET)
    filters.is_valid()  # an invalid filter is shown with its error; the valid ones still apply
    lessons = filters.filter(public_lessons())
    page = Paginator(lessons, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    for key in ("page", *BookletForm.KEYS):
        query.pop(key, None)
    return render(
        request,
        "learning/library.html",
        {
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "booklet": (booklet_form := BookletForm.for_list(request.GET)),
            "chosen": booklet_form.chosen,
            "kept": [(key, value) for key in LIBRARY_KEYS for value in request.GET.getlist(key)],
            "booklet_limit": booklet.MAX_LESSONS,
        },
    )


@require_safe
def booklet_pdf(request):
    """The chosen lessons as a PDF booklet: the public ones, or any the signed-in person may see
    (others are left out). A choice that cannot be made into a booklet goes back to the library
    with the message, the search, the filters, the ticked lessons and the title kept."""
    form = BookletForm(request.GET)
    if form.is_valid():
        try:
            pdf = booklet.booklet_for(
                request.user, form.cleaned_data["ids"], title=form.cleaned_data["title"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return pdf_response(pdf, form.cleaned_data["title"] or booklet.default_title())
    for message in form.messages():
        messages.error(request, message)
    return redirect(form.back_to_list(reverse("lessons:library"), keep=LIBRARY_KEYS))
