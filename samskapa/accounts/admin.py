from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group

from samskapa.accounts.models import Membership, User
from samskapa.audit.services import diff, record, snapshot
from samskapa.core.admin import ReadOnlyAdmin

# Who may do what on the platform is audited like everything else.
_ACCESS = ("groups", "user_permissions")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """People are the one domain record the admin edits (platform rights: the Operators group).

    Each change is written to the audit trail through the admin's own logging hooks, which run
    after the form and its many-to-many fields are saved.
    """

    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "full_name", "password"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
    ]
    add_fieldsets = [(None, {"fields": ["email", "full_name", "password1", "password2"]})]

    def save_model(self, request, obj, form, change):
        if change:
            request._audit_before = snapshot(User.objects.get(pk=obj.pk), m2m=_ACCESS)
        super().save_model(request, obj, form, change)

    def log_addition(self, request, obj, message):
        record(
            actor=request.user,
            action="accounts.person.created",
            obj=obj,
            changes=diff({}, snapshot(obj, m2m=_ACCESS)),
        )
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        before = getattr(request, "_audit_before", None)
        if before is None:  # the admin's password form, the only change without save_model
            changes = {"password": ["", "changed"]}
        else:
            changes = diff(before, snapshot(obj, m2m=_ACCESS))
        record(actor=request.user, action="accounts.person.updated", obj=obj, changes=changes)
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            record(
                actor=request.user,
                action="accounts.person.deleted",
                obj=obj,
                changes=diff(snapshot(obj, m2m=_ACCESS), {}),
            )
        return super().log_deletions(request, queryset)


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(ReadOnlyAdmin):
    """The Operators group's permissions come from a migration; who is in it, from UserAdmin."""

    list_display = ["name"]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "role", "programme", "department"]
    list_filter = ["role"]
