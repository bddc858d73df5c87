from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Domain records change only through services, so that every change is audited.

    The admin site shows them for support; it does not edit them.
    """

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
