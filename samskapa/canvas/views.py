"""The canvas pages: the canvases a person may see, a canvas (a version of it) with its
comments, editing (a new version, or a conflict shown side by side), comparing two versions,
and a version as PDF. Only the journey's innovator and the programme's operators get here:
everyone else gets 404 (permissions.canvas_journeys)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samskapa.accounts import permissions
from samskapa.canvas import services
from samskapa.canvas.blocks import BLOCKS
from samskapa.canvas.forms import CanvasForm, CommentForm, CompareForm
from samskapa.canvas.models import CanvasComment, CanvasVersion
from samskapa.core.forms import add_service_errors
from samskapa.journeys.models import Journey
from samskapa.reports.pdf import pdf_response, render_pdf


def journey_or_404(user, pk, action: str | None = None) -> Journey:
    """The journey if the user may see its canvas (404 otherwise) and, given an action, do it
    (403)."""
    journeys = Journey.objects.select_related("programme", "innovator", "organisation")
    journey = permissions.canvas_journeys(user, journeys).filter(pk=pk).first()
    if journey is None:
        raise Http404
    if action:
        permissions.require(user, action, journey)
    return journey


def _versions(journey):
    return list(
        CanvasVersion.objects.filter(canvas__journey=journey)
        .select_related("author")
        .order_by("-number")
    )


def _version(versions, number):
    if number is None:
        return versions[0] if versions else None
    for version in versions:
        if version.number == number:
            return version
    raise Http404


@login_required
def mine(request):
    journeys = (
        permissions.canvas_journeys(request.user)
        .select_related("programme", "innovator", "organisation")
        .annotate(
            latest_number=Max("canvas__versions__number"),
            latest_at=Max("canvas__versions__created_at"),
        )
        .order_by("programme__name", "innovator__full_name", "pk")
    )
    return render(request, "canvas/mine.html", {"journeys": journeys})


@login_required
def detail(request, pk, number=None, comment_form=None):
    journey = journey_or_404(request.user, pk)
    versions = _versions(journey)
    version = _version(versions, number)
    rows = []
    if version is not None:
        comments: dict[str, list] = {}
        for comment in version.comments.select_related("author"):
            comments.setdefault(comment.block, []).append(comment)
        rows = [
            {"block": block, "text": version.text(block.key), "comments": comments.get(block.key)}
            for block in BLOCKS
        ]
    can_comment = permissions.can(request.user, "canvas.comment", journey)
    if comment_form is None and can_comment and version is not None:
        comment_form = CommentForm()
    return render(
        request,
        "canvas/detail.html",
        {
            "journey": journey,
            "versions": versions,
            "version": version,
            "is_latest": version is not None and version == versions[0],
            "rows": rows,
            "can_edit": permissions.can(request.user, "canvas.edit", journey),
            "comment_form": comment_form if can_comment else None,
        },
    )


@login_required
def edit(request, pk):
    journey = journey_or_404(request.user, pk, "canvas.edit")
    latest = services.latest_version(journey)
    conflict = None
    if request.method == "POST":
        form = CanvasForm(request.POST)
        if form.is_valid():
            try:
                version = services.save_version(
                    journey,
                    by=request.user,
                    blocks=form.blocks(),
                    base_version=form.cleaned_data["base_version"],
                    note=form.cleaned_data["note"],
                )
            except services.CanvasConflict as error:
                conflict = _conflict(error.latest, form.blocks())
                # Keep what they typed; the next save is based on the newest version.
                data = request.POST.copy()
                data["base_version"] = str(error.latest.number)
                form = CanvasForm(data)
                form.is_valid()
                latest = error.latest
                conflict["message"] = error.message
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The canvas is saved as version %(number)s.") % {"number": version.number},
                )
                return redirect("canvas:detail", journey.pk)
    else:
        initial = {"base_version": latest.number if latest else 0}
        if latest:
            initial |= latest.blocks
        form = CanvasForm(initial=initial)
    return render(
        request,
        "canvas/edit.html",
        {
            "journey": journey,
            "form": form,
            "latest": latest,
            "conflict": conflict,
            "social_keys": [block.key for block in BLOCKS if block.social],
        },
        status=409 if conflict else 200,
    )


def _conflict(latest: CanvasVersion, yours: dict) -> dict:
    """The blocks where the newer version ("theirs") differs from what was typed ("yours")."""
    return {
        "latest": latest,
        "rows": [
            {"block": block, "theirs": latest.text(block.key), "yours": yours[block.key]}
            for block in BLOCKS
            if latest.text(block.key) != yours[block.key]
        ],
    }


@login_required
@require_POST
def comment(request, pk, number):
    journey = journey_or_404(request.user, pk, "canvas.comment")
    version = CanvasVersion.objects.filter(canvas__journey=journey, number=number).first()
    if version is None:
        raise Http404
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.add_comment(version, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your comment is added."))
            url = reverse("canvas:version", args=[journey.pk, version.number])
            return redirect(f"{url}#block-{form.cleaned_data['block']}")
    return detail(request, pk, number=number, comment_form=form)


@login_required
def compare(request, pk):
    journey = journey_or_404(request.user, pk)
    versions = _versions(journey)
    numbers = [v.number for v in reversed(versions)]
    data = request.GET if "first" in request.GET or "second" in request.GET else None
    if data is None and len(numbers) >= 2:
        data = {"first": numbers[-2], "second": numbers[-1]}
    form = CompareForm(data, numbers=numbers)
    differences = first = second = None
    if data is not None and form.is_valid():
        by_number = {v.number: v for v in versions}
        first, second = (
            by_number[form.cleaned_data["first"]],
            by_number[form.cleaned_data["second"]],
        )
        differences = services.compare(first, second)
    return render(
        request,
        "canvas/compare.html",
        {
            "journey": journey,
            "form": form,
            "versions": versions,
            "first": first,
            "second": second,
            "differences": differences,
            "changed_count": sum(d.changed for d in differences or ()),
        },
    )


@login_required
def pdf(request, pk, number):
    journey = journey_or_404(request.user, pk)
    return pdf_of(request, journey, _version(_versions(journey), number))


def pdf_of(request, journey, version):
    """The version as a landscape A4 PDF with its comments (the page's and the API's)."""
    comments = (
        CanvasComment.objects.filter(version=version)
        .select_related("author")
        .order_by("block", "created_at", "pk")
    )
    title = _("Business model canvas, %(name)s, version %(number)s") % {
        "name": journey.innovator.full_name,
        "number": version.number,
    }
    content = render_pdf(
        "canvas/pdf.html",
        {
            "journey": journey,
            "version": version,
            "title": title,
            "rows": [(block, version.text(block.key)) for block in BLOCKS],
            "comments": comments,
        },
        request=request,
    )
    return pdf_response(content, title)
