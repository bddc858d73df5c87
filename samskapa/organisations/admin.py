from django.contrib import admin

from samskapa.core.admin import ReadOnlyAdmin
from samskapa.organisations.models import County, Municipality, Organisation


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "municipality", "org_number"]
    list_filter = ["kind"]
    search_fields = ["name", "org_number"]


@admin.register(County)
class CountyAdmin(ReadOnlyAdmin):
    list_display = ["code", "name"]


@admin.register(Municipality)
class MunicipalityAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "county"]
    search_fields = ["code", "name"]
