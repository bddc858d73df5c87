"""Test environments: a programme's list, setting one up by hand, its page with the shared
workspace (tasks, meetings, files, timeline), the operators' changes, the files' downloads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samskapa.accounts import permissions
from samskapa.calls import uploads
from samskapa.core.forms import add_service_errors
from samskapa.environments import services
from samskapa.environments.forms import (
    FileForm,
    MeetingForm,
    NewTestEnvironmentForm,
    TaskForm,
    TestEnvironmentForm,
)
from samskapa.environments.models import TestEnvironment

RELATED = (
    "programme",
    "journey__innovator",
    "journey__organisation",
    "challenge",
    "host_department",
    "contact_person",
    "facilitator",
)


def environments_of(user, programme):
    """The programme's test environments the user may see, with their open and overdue tasks
    counted in the same query."""
    today = timezone.localdate()
    return (
        permissions.visible(user, programme.test_environments.all())
        .select_related(*RELATED)
        .annotate(
            open_tasks=Count("tasks", filter=Q(tasks__done=False)),
            overdue_tasks=Count("tasks", filter=Q(tasks__done=False, tasks__due_on__lt=today)),
        )
        .order_by("journey__innovator__full_name", "pk")
    )


def _environment(request, pk, action=None):
    return permissions.get_visible_or_404(
        request.user, TestEnvironment.objects.select_related(*RELATED), action=action, pk=pk
    )


@login_required
def index(request, pk):
    programme = permissions.programme_or_404(request.user, pk)
    return render(
        request,
        "environments/index.html",
        {
            "programme": programme,
            "environments": environments_of(request.user, programme),
            "can_create": permissions.can(request.user, "environment.create", programme),
            "today": timezone.localdate(),
        },
    )


@login_required
def create(request, pk):
    programme = permissions.programme_or_404(request.user, pk, "environment.create")
    form = NewTestEnvironmentForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            environment = services.create_by_hand(
                programme, by=request.user, **form.service_fields()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The test environment is set up."))
            return redirect(environment)
    return render(request, "environments/form.html", {"form": form, "programme": programme})


@login_required
def edit(request, pk):
    environment = _environment(request, pk, "environment.change")
    form = TestEnvironmentForm(request.POST or None, request.FILES or None, instance=environment)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_environment(environment, by=request.user, **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The test environment is saved."))
            return redirect(environment)
    # The form's instance may carry the refused input: show the stored one in the heading.
    return render(
        request,
        "environments/form.html",
        {
            "form": form,
            "programme": environment.programme,
            "environment": _environment(request, pk),
        },
    )


@login_required
def detail(request, pk):
    return _detail(request, _environment(request, pk))


def _detail(request, environment, *, task_form=None, meeting_form=None, file_form=None):
    user = request.user
    can_contribute = permissions.can(user, "workspace.contribute", environment)
    today = timezone.localdate()
    tasks = list(environment.tasks.select_related("owner"))
    for task in tasks:
        task.overdue = task.is_overdue(today)
    if can_contribute:
        task_form = task_form or TaskForm(participants=services.participants(environment))
        meeting_form = meeting_form or MeetingForm()
        file_form = file_form or FileForm()
    return render(
        request,
        "environments/detail.html",
        {
            "environment": environment,
            "programme": environment.programme,
            "tasks": tasks,
            "meetings": environment.meetings.all(),
            "files": environment.files.select_related("uploaded_by"),
            "timeline": environment.timeline.select_related("actor"),
            "can_change": permissions.can(user, "environment.change", environment),
            "can_contribute": can_contribute,
            "task_form": task_form,
            "meeting_form": meeting_form,
            "file_form": file_form,
        },
    )


@login_required
@require_POST
def add_task(request, pk):
    environment = _environment(request, pk, "workspace.contribute")
    form = TaskForm(request.POST, participants=services.participants(environment))
    if form.is_valid():
        try:
            services.add_task(environment, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The task is added."))
            return redirect(f"{environment.get_absolute_url()}#tasks")
    return _detail(request, environment, task_form=form)


@login_required
@require_POST
def task_done(request, pk, task_pk):
    environment = _environment(request, pk, "workspace.contribute")
    task = get_object_or_404(environment.tasks.all(), pk=task_pk)
    done = request.POST.get("done") == "1"
    services.set_task_done(task, by=request.user, done=done)
    return redirect(f"{environment.get_absolute_url()}#tasks")


@login_required
@require_POST
def add_meeting(request, pk):
    environment = _environment(request, pk, "workspace.contribute")
    form = MeetingForm(request.POST)
    if form.is_valid():
        try:
            services.add_meeting(environment, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The meeting is added."))
            return redirect(f"{environment.get_absolute_url()}#meetings")
    return _detail(request, environment, meeting_form=form)


@login_required
@require_POST
def add_file(request, pk):
    environment = _environment(request, pk, "workspace.contribute")
    form = FileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_file(environment, by=request.user, upload=form.cleaned_data["file"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The file is added."))
            return redirect(f"{environment.get_absolute_url()}#files")
    return _detail(request, environment, file_form=form)


@login_required
def download(request, pk, file_pk):
    """A workspace file, to whoever may see the environment (404 for anyone else)."""
    environment = _environment(request, pk)
    stored = environment.files.filter(pk=file_pk).first()
    if stored is None:
        raise Http404
    return uploads.file_response(stored, stored.original_name)


@login_required
def agreement(request, pk):
    """The signed data-sharing agreement, to whoever may see the environment."""
    environment = _environment(request, pk)
    stored = services.agreement_download(environment)
    if stored is None:
        raise Http404
    return uploads.file_response(stored, environment.data_agreement_filename)
