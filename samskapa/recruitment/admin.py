from django.contrib import admin

from samskapa.core.admin import ReadOnlyAdmin
from samskapa.recruitment.models import FunnelSnapshot, LabInvitation, LabSlot


@admin.register(LabSlot)
class LabSlotAdmin(ReadOnlyAdmin):
    list_display = ["call", "starts_at", "ends_at", "place", "capacity"]


@admin.register(LabInvitation)
class LabInvitationAdmin(ReadOnlyAdmin):
    list_display = ["application", "slot", "status", "sequence", "updated_at"]
    list_filter = ["status"]


@admin.register(FunnelSnapshot)
class FunnelSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["call", "reason", "taken_at"]
