"""Pages where programme members draft, review, approve and publish challenges."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samskapa.accounts import permissions
from samskapa.challenges import services
from samskapa.challenges.forms import ChallengeForm, CommentForm, NoteForm
from samskapa.challenges.models import Challenge, ChallengeVersion
from samskapa.core.forms import add_service_errors


def _programme_or_404(request, pk, action="programme.view"):
    return permissions.programme_or_404(request.user, pk, action)


def _challenge_or_404(request, pk, action=None):
    challenge = permissions.get_visible_or_404(
        request.user,
        Challenge.objects.select_related("programme", "department__parent", "contact_person"),
        action=action,
        pk=pk,
    )
    return challenge


@login_required
def index(request, pk):
    programme = _programme_or_404(request, pk)
    challenges = (
        permissions.visible(request.user, programme.challenges.all())
        .select_related("department")
        .prefetch_related("tags")
        .order_by("status", "title")
    )
    return render(
        request,
        "challenges/index.html",
        {
            "programme": programme,
            "challenges": challenges,
            "can_create": permissions.can(request.user, "challenge.create", programme),
        },
    )


@login_required
def create(request, pk):
    programme = _programme_or_404(request, pk, "challenge.create")
    form = ChallengeForm(request.POST or None, programme=programme, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            challenge = services.create_challenge(programme, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The challenge is saved as a draft."))
            return redirect(challenge)
    return render(request, "challenges/form.html", {"form": form, "programme": programme})


@login_required
def edit(request, pk):
    challenge = _challenge_or_404(request, pk, "challenge.change")
    form = ChallengeForm(
        request.POST or None, instance=challenge, programme=challenge.programme, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_challenge(challenge, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The challenge is saved."))
            return redirect(challenge)
    return render(
        request,
        "challenges/form.html",
        {
            "form": form,
            "programme": challenge.programme,
            "challenge": challenge,
        },
    )


@login_required
def detail(request, pk):
    challenge = _challenge_or_404(request, pk)
    can_see_work = permissions.can(request.user, "challenge.view_unpublished", challenge)
    return render(
        request,
        "challenges/detail.html",
        {
            "challenge": challenge,
            "programme": challenge.programme,
            "documents": challenge.strategy_documents.all(),
            "themes": challenge.tags.all(),
            "events": challenge.events.select_related("by") if can_see_work else (),
            "versions": challenge.versions.select_related("created_by"),
            "transitions": services.available_transitions(challenge, request.user),
            "can_change": permissions.can(request.user, "challenge.change", challenge),
            "can_comment": permissions.can(request.user, "challenge.comment", challenge),
            "note_form": NoteForm(),
            "comment_form": CommentForm(),
        },
    )


@login_required
@require_POST
def step(request, pk, name):
    if name not in services.TRANSITIONS:
        raise Http404
    challenge = _challenge_or_404(request, pk, services.TRANSITIONS[name].action)
    form = NoteForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["note"])
        services.transition(challenge, name, by=request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, str(services.TRANSITIONS[name].label))
    return redirect(challenge)


@login_required
@require_POST
def add_comment(request, pk):
    challenge = _challenge_or_404(request, pk, "challenge.comment")
    form = CommentForm(request.POST)
    if form.is_valid():
        services.comment(challenge, by=request.user, text=form.cleaned_data["text"])
        messages.success(request, _("Your comment is added."))
    else:
        messages.error(request, _("Write a comment."))
    return redirect(challenge)


@login_required
def version(request, pk, number):
    challenge = _challenge_or_404(request, pk)
    try:
        shown = challenge.versions.get(number=number)
    except ChallengeVersion.DoesNotExist:
        raise Http404 from None
    return render(request, "challenges/version.html", {"challenge": challenge, "version": shown})
