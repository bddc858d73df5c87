from django.contrib import admin

from samskapa.calls.models import Application, Call
from samskapa.core.admin import ReadOnlyAdmin


@admin.register(Call)
class CallAdmin(ReadOnlyAdmin):
    list_display = ["title", "programme", "opens_at", "closes_at"]
    search_fields = ["title"]


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["call", "applicant", "status", "submitted_at"]
    list_filter = ["status"]
    # Gender is for aggregate statistics only: never shown next to a name, here neither.
    exclude = ["gender"]
