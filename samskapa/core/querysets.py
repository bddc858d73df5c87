from django.db import models


class VisibleQuerySet(models.QuerySet):
    """`Model.objects.visible_to(user)`: the rows accounts/permissions.py lets the user see."""

    def visible_to(self, user):
        from samskapa.accounts import permissions  # permissions imports models: not at load

        return permissions.visible(user, self)
