from django.contrib import admin

from samskapa.core.admin import ReadOnlyAdmin
from samskapa.programmes.models import Phase, Programme


@admin.register(Programme)
class ProgrammeAdmin(ReadOnlyAdmin):
    list_display = ["name", "starts_on", "ends_on", "operator_organisation"]
    search_fields = ["name"]


@admin.register(Phase)
class PhaseAdmin(ReadOnlyAdmin):
    list_display = ["programme", "kind", "starts_on", "ends_on"]
