"""The learning log: insights, reflections and instructive mistakes (lärdomar och lärorika
misstag) recorded by the people of a programme, and the public lessons library across them.

Who sees a lesson is its visibility: private (the author only), the programme (its members), or
public — which the author asks for and an operator of the programme approves; until then it is
seen as a programme lesson. Themes reuse the challenges' Tag.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from samskapa.programmes.models import PhaseKind


class Visibility(models.TextChoices):
    PRIVATE = "private", _("Private (only me)")
    PROGRAMME = "programme", _("The programme")
    PUBLIC = "public", _("Public (after the operator's approval)")

    @classmethod
    def shared(cls):
        """Seen by the programme's members (a public lesson also while awaiting approval)."""
        return (cls.PROGRAMME, cls.PUBLIC)


class Approval(models.TextChoices):
    """The operator's approval of a lesson asked to be public."""

    NOT_REQUESTED = "not_requested", _("Not asked for")
    REQUESTED = "requested", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Not approved")


class LessonQuerySet(models.QuerySet):
    def visible_to(self, user):
        from samskapa.accounts import permissions

        return permissions.visible(user, self)

    def public(self):
        """The lessons of the public library: asked to be public and approved."""
        return self.filter(visibility=Visibility.PUBLIC, approval=Approval.APPROVED)


class Lesson(models.Model):
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="lessons"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="lessons",
    )
    title = models.CharField(_("title"), max_length=200)
    what_happened = models.TextField(_("what happened"))
    what_we_learned = models.TextField(_("what we learned"))
    what_we_would_do_differently = models.TextField(_("what we would do differently"), blank=True)
    phase = models.PositiveSmallIntegerField(
        _("phase"), choices=PhaseKind.choices, null=True, blank=True
    )
    themes = models.ManyToManyField(
        "challenges.Tag", verbose_name=_("themes"), related_name="lessons", blank=True
    )
    concerns = models.CharField(
        _("who it concerns"),
        max_length=300,
        blank=True,
        help_text=_("E.g. innovators, host departments, the steering group."),
    )
    visibility = models.CharField(
        _("visibility"), max_length=20, choices=Visibility.choices, default=Visibility.PROGRAMME
    )
    approval = models.CharField(
        _("approval"), max_length=20, choices=Approval.choices, default=Approval.NOT_REQUESTED
    )
    approval_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approval_decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    approval_note = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The stems for full-text search on SQLite (challenges/search.py); PostgreSQL has a
    # tsvector column `search_vector` added by migration 0002 instead.
    search_stems = models.TextField(blank=True, default="", editable=False)

    objects = LessonQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    def __str__(self):
        # The audit trail (seen by the programme's operators) names a private lesson by number.
        if self.visibility == Visibility.PRIVATE:
            return _("Private lesson %(number)s") % {"number": self.pk}
        return self.title

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC and self.approval == Approval.APPROVED
