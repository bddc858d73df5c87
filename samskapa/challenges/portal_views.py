"""The public portal: the published and closed challenges of every programme, for anyone.

No sign-in and no permission module here: what is public is decided by the challenge's status
alone (`Challenge.objects.public()`); any other challenge answers 404, as if it did not exist.
"""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from samskapa.calls.models import Call
from samskapa.challenges.models import Challenge
from samskapa.challenges.portal_forms import PortalFilterForm
from samskapa.programmes.models import Programme

PAGE_SIZE = 20


def public_challenges():
    """Public challenges with what a list of them shows, in a fixed number of queries."""
    return (
        Challenge.objects.public()
        .select_related("department__parent", "programme")
        .prefetch_related("tags")
        .defer("search_stems")
    )


# The calls open now, soonest deadline first, above the challenges.
OPEN_CALLS_SHOWN = 10


@require_safe
def index(request):
    filters = PortalFilterForm(request.GET)
    filters.is_valid()  # an invalid filter is shown with its error; the valid ones still apply
    challenges = filters.filter(public_challenges())
    page = Paginator(challenges, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    open_calls = Call.objects.open_now().order_by("closes_at", "pk")[:OPEN_CALLS_SHOWN]
    return render(
        request,
        "portal/index.html",
        {"filters": filters, "page": page, "query": query.urlencode(), "open_calls": open_calls},
    )


@require_safe
def challenge(request, pk):
    challenge = get_object_or_404(
        public_challenges().select_related("contact_person").prefetch_related("strategy_documents"),
        pk=pk,
    )
    open_calls = Call.objects.open_now().filter(challenges=challenge).order_by("closes_at", "pk")
    return render(
        request, "portal/challenge.html", {"challenge": challenge, "open_calls": open_calls}
    )


@require_safe
def programme(request, pk):
    """A programme's narrative with its public challenges.

    A programme is public through its public challenges (whose pages already show its name and
    narrative); one without any answers 404.
    """
    programme = get_object_or_404(Programme.objects.select_related("operator_organisation"), pk=pk)
    challenges = list(public_challenges().filter(programme=programme))
    if not challenges:
        raise Http404
    return render(
        request, "portal/programme.html", {"programme": programme, "challenges": challenges}
    )
