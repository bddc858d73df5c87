from django.contrib import admin

from samskapa.core.admin import ReadOnlyAdmin
from samskapa.matching.models import Match, MatchingRun


@admin.register(MatchingRun)
class MatchingRunAdmin(ReadOnlyAdmin):
    list_display = ["call", "number", "label", "created_by", "created_at", "mode", "feasible"]
    list_filter = ["mode", "feasible"]
    # The input holds each applicant's gender, which is never shown next to a name: the run's
    # pages show it in aggregate only.
    exclude = ["input"]


@admin.register(Match)
class MatchAdmin(ReadOnlyAdmin):
    list_display = ["call", "application", "challenge", "run", "confirmed_by", "confirmed_at"]
