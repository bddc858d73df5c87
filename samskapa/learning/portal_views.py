"""The public lessons library: the approved public lessons of every programme, for anyone.

No sign-in and no permission module here, as on the rest of the portal: what is public is
decided by the lesson alone (`Lesson.objects.public()`).
"""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from samskapa.learning.forms import LibraryFilterForm
from samskapa.learning.models import Lesson

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


@require_safe
def library(request):
    filters = LibraryFilterForm(request.GET)
    filters.is_valid()  # an invalid filter is shown with its error; the valid ones still apply
    lessons = filters.filter(public_lessons())
    page = Paginator(lessons, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "learning/library.html",
        {"filters": filters, "page": page, "query": query.urlencode()},
    )
