from django.contrib import admin

from samskapa.calls.models import (
    Application,
    ApplicationFile,
    Call,
    ConflictDeclaration,
    Criterion,
    Review,
    ReviewerAssignment,
)
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


@admin.register(ApplicationFile)
class ApplicationFileAdmin(ReadOnlyAdmin):
    # Metadata only: the file itself is opened from the application's page, which checks who
    # may see it (the storage has no URL to link to).
    list_display = ["original_name", "application", "question", "content_type", "size"]
    exclude = ["file"]


@admin.register(Criterion)
class CriterionAdmin(ReadOnlyAdmin):
    list_display = ["name", "call", "weight", "scale_max", "position"]


@admin.register(ReviewerAssignment)
class ReviewerAssignmentAdmin(ReadOnlyAdmin):
    list_display = ["call", "reviewer", "created_at"]


@admin.register(ConflictDeclaration)
class ConflictDeclarationAdmin(ReadOnlyAdmin):
    list_display = ["application", "reviewer", "conflicted", "declared_at"]
    list_filter = ["conflicted"]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["application", "reviewer", "submitted_at"]
