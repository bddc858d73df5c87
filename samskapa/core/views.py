from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.db.models import Prefetch
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from samskapa.accounts import permissions
from samskapa.accounts.models import Role
from samskapa.environments.models import TestEnvironment
from samskapa.programmes.models import Phase, Programme


def home(request):
    if request.user.is_authenticated:
        return redirect("dashboard")
    return render(request, "core/home.html")


@login_required
def dashboard(request):
    programmes = (
        Programme.objects.visible_to(request.user)
        .select_related("operator_organisation")
        .prefetch_related(Prefetch("phases", queryset=Phase.objects.order_by("kind")))
    )
    roles = permissions.roles_by_programme(request.user)
    rows = [
        {
            "programme": programme,
            "roles": [Role(r).label for r in sorted(roles.get(programme.pk, ()))],
            "current_phase": next((p for p in programme.phases.all() if p.is_current()), None),
        }
        for programme in programmes
    ]
    return render(
        request,
        "core/dashboard.html",
        {
            "rows": rows,
            "can_create": permissions.can(request.user, "programme.create"),
            # A host department's named contact person may hold no role in the programme:
            # this is their way in.
            "contact_environments": TestEnvironment.objects.filter(
                contact_person=request.user
            ).select_related("challenge", "programme"),
            # Innovators iterate their canvas, operators (facilitators) follow them all.
            "works_on_canvases": any(
                roles & {Role.INNOVATOR, Role.OPERATOR} for roles in roles.values()
            ),
        },
    )


@never_cache
@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
