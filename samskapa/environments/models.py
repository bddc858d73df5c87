"""Test environments (testmiljöer): where a matched innovator tests their idea with the host
department — what is offered, the agreed aims, the period, the data-sharing agreement.
The workspace shared by innovator, host contact and facilitator hangs off it.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class VisibleQuerySet(models.QuerySet):
    def visible_to(self, user):
        from samskapa.accounts import permissions

        return permissions.visible(user, self)


class EnvironmentStatus(models.TextChoices):
    PLANNED = "planned", _("Being planned")
    ACTIVE = "active", _("Running")
    PAUSED = "paused", _("Paused")
    COMPLETED = "completed", _("Completed")
    ENDED = "ended", _("Ended early")


class TestEnvironment(models.Model):
    __test__ = False  # not a test class, whatever pytest guesses from the name

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="test_environments"
    )
    journey = models.ForeignKey(
        "journeys.Journey",
        verbose_name=_("innovator journey"),
        on_delete=models.CASCADE,
        related_name="test_environments",
    )
    # The confirmed match it was created for; empty when an operator created it by hand.
    match = models.OneToOneField(
        "matching.Match",
        verbose_name=_("match"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="test_environment",
    )
    challenge = models.ForeignKey(
        "challenges.Challenge",
        verbose_name=_("challenge"),
        on_delete=models.PROTECT,
        related_name="test_environments",
    )
    host_department = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("host department"),
        on_delete=models.PROTECT,
        related_name="hosted_test_environments",
    )
    contact_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contact person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="test_environment_contacts",
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="facilitated_test_environments",
    )
    # What the host department offers (the challenge's offer is the starting point).
    target_group_access = models.TextField(_("access to the target group"), blank=True)
    premises = models.TextField(_("premises"), blank=True)
    data_offered = models.TextField(_("data"), blank=True)
    staff_time = models.TextField(_("staff time"), blank=True)
    budget = models.PositiveIntegerField(_("budget (SEK)"), null=True, blank=True)
    aims = models.TextField(_("agreed aims"), blank=True)
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    data_agreement_signed = models.BooleanField(
        _("data-sharing (GDPR) agreement signed"), default=False
    )
    # The signed agreement: a file in private storage (see calls/uploads.py), never a public URL.
    data_agreement_file = models.CharField(max_length=300, blank=True, editable=False)
    data_agreement_filename = models.CharField(max_length=255, blank=True, editable=False)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=EnvironmentStatus.choices,
        default=EnvironmentStatus.PLANNED,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["programme_id", "challenge_id", "id"]
        verbose_name = _("test environment")
        verbose_name_plural = _("test environments")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="test_environment_ends_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            )
        ]

    def __str__(self):
        return f"{self.journey.innovator.full_name} – {self.challenge.title}"

    def get_absolute_url(self):
        return reverse("environments:detail", args=[self.pk])
