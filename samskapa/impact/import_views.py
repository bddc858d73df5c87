"""Importing measurements into a test environment from a CSV or XLSX file (impact/importing.py):
the upload page with the format and the templates, the preview (every problem before anything
is stored), the commit, and the result. Only those with `impact.edit` on the test environment —
its innovator and the programme's operators (facilitators) — come here."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from samskapa.accounts import permissions
from samskapa.environments.models import TestEnvironment
from samskapa.impact import importing
from samskapa.impact.models import ImportBatch, Indicator

SHOWN_ROWS = 200

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV or XLSX file"),
        widget=forms.ClearableFileInput(attrs={"accept": f".csv,.xlsx,text/csv,{XLSX_TYPE}"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext_lazy(
            "A .csv or .xlsx file of at most %(max)s MB. Nothing is stored before you have "
            "seen the preview."
        ) % {"max": importing.max_mb()}


def _environment(request, pk):
    return permissions.get_visible_or_404(
        request.user,
        TestEnvironment.objects.select_related("programme", "journey__innovator", "challenge"),
        action="impact.edit",
        pk=pk,
    )


def _dashboard_url(environment):
    """The environment's impact dashboard, when the impact pages provide one."""
    from django.urls import NoReverseMatch

    for name in ("impact:dashboard", "impact:environment"):
        try:
            return reverse(name, args=[environment.pk])
        except NoReverseMatch:
            continue
    return None


def _start_page(request, environment, form, status=200):
    indicators = Indicator.objects.filter(environment=environment).order_by("name", "pk")
    batches = (
        ImportBatch.objects.filter(environment=environment)
        .select_related("imported_by")
        .order_by("-imported_at", "-pk")[:20]
    )
    return render(
        request,
        "impact/import_start.html",
        {
            "environment": environment,
            "programme": environment.programme,
            "form": form,
            "indicators": indicators,
            "batches": batches,
            "dashboard_url": _dashboard_url(environment),
        },
        status=status,
    )


@login_required
def start(request, pk):
    """GET: the format, the templates, the earlier imports and the upload form. POST: upload
    a file for its preview."""
    environment = _environment(request, pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            pending = importing.receive(
                form.cleaned_data["file"], environment=environment, by=request.user
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            return redirect("impact_import:preview", environment.pk, pending.token)
    return _start_page(request, environment, form, status=422 if form.errors else 200)


@login_required
@require_safe
def template(request, pk, kind):
    environment = _environment(request, pk)
    name = slugify(f"{_('measurements')} {environment.journey.innovator.full_name}") or "import"
    if kind == "xlsx":
        content, content_type = importing.template_xlsx(environment), XLSX_TYPE
    else:
        content, content_type = importing.template_csv(environment), "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _preview_page(request, environment, preview, status=200):
    return render(
        request,
        "impact/import_preview.html",
        {
            "environment": environment,
            "programme": environment.programme,
            "preview": preview,
            "form": ImportForm(),
        },
        status=status,
    )


@login_required
def preview(request, pk, token):
    """GET: what the import would do and every problem. POST: import it (all or nothing)."""
    environment = _environment(request, pk)
    try:
        pending = importing.pending_file(token, environment=environment, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("impact_import:start", environment.pk)
    if request.method == "POST":
        try:
            result = importing.commit(pending, environment=environment, by=request.user)
        except importing.ImportRefused:
            # Shown again in full, as the preview (with the same token: fix and upload again).
            return _preview_page(
                request, environment, importing.preview(pending, environment=environment), 422
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("impact_import:start", environment.pk)
        messages.success(
            request,
            _(
                "Imported %(rows)s rows from %(file)s: %(new)s new values, %(changed)s "
                "replaced, %(unchanged)s unchanged."
            )
            % {
                "rows": result.batch.rows,
                "file": result.batch.filename,
                "new": result.new,
                "changed": result.changed,
                "unchanged": result.unchanged,
            },
        )
        return redirect("impact_import:batch", result.batch.pk)
    return _preview_page(request, environment, importing.preview(pending, environment=environment))


@login_required
@require_POST
def discard(request, pk, token):
    environment = _environment(request, pk)
    try:
        pending = importing.pending_file(token, environment=environment, by=request.user)
    except ValidationError:
        pass
    else:
        importing.discard(pending)
        messages.success(request, _("The uploaded file is discarded; nothing was imported."))
    return redirect("impact_import:start", environment.pk)


@login_required
@require_safe
def batch(request, pk):
    """One import: who, when, and the values it wrote (the first 200)."""
    batches = ImportBatch.objects.select_related(
        "imported_by", "environment__programme", "environment__journey__innovator"
    )
    found = batches.filter(pk=pk).first()
    if found is None:
        from django.http import Http404

        raise Http404
    environment = _environment(request, found.environment_id)
    written = found.measurements.select_related("indicator").order_by(
        "indicator__name", "indicator_id", "period"
    )
    return render(
        request,
        "impact/import_result.html",
        {
            "environment": environment,
            "programme": environment.programme,
            "batch": found,
            "measurements": written[:SHOWN_ROWS],
            "written": written.count(),
            "shown": SHOWN_ROWS,
            "dashboard_url": _dashboard_url(environment),
        },
    )
