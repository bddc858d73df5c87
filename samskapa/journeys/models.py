"""An innovator's journey through a programme's four phases.

One journey per innovator and programme. It starts when a match is confirmed (or an operator
adds the innovator by hand) in phase 2, "Test environments & business development": phase 1,
recruitment, is what brought them in. It moves only through gates decided by the steering
group (go / iterate / pause / stop); the method is iterative, so a journey can go back.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from samskapa.programmes.models import PhaseKind


class VisibleQuerySet(models.QuerySet):
    def visible_to(self, user):
        from samskapa.accounts import permissions

        return permissions.visible(user, self)


class JourneyStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    STOPPED = "stopped", _("Stopped")
    COMPLETED = "completed", _("Completed")


class Journey(models.Model):
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="journeys"
    )
    innovator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("innovator"),
        on_delete=models.PROTECT,
        related_name="journeys",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="journeys",
    )
    # The application that brought the innovator into the programme, when there was one.
    application = models.ForeignKey(
        "calls.Application",
        verbose_name=_("application"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="journeys",
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="facilitated_journeys",
    )
    phase = models.PositiveSmallIntegerField(
        _("phase"), choices=PhaseKind.choices, default=PhaseKind.TEST_ENVIRONMENT
    )
    status = models.CharField(
        _("status"), max_length=20, choices=JourneyStatus.choices, default=JourneyStatus.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["programme_id", "innovator__full_name", "id"]
        verbose_name = _("innovator journey")
        verbose_name_plural = _("innovator journeys")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "innovator"], name="one_journey_per_innovator_and_programme"
            )
        ]

    def __str__(self):
        who = self.organisation.name if self.organisation_id else self.innovator.full_name
        return f"{who} – {self.get_phase_display()}"

    def get_absolute_url(self):
        return reverse("journeys:detail", args=[self.pk])
