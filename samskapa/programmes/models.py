from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _


class ProgrammeQuerySet(models.QuerySet):
    def visible_to(self, user):
        from samskapa.accounts import permissions

        return permissions.visible(user, self)


class Programme(models.Model):
    """One run of the needs-driven learning process (lärprocess) with one or more needs owners."""

    name = models.CharField(_("name"), max_length=200)
    narrative = models.TextField(
        _("narrative"), help_text=_("The umbrella story the programme's challenges share.")
    )
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    operator_organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("operator organisation"),
        on_delete=models.PROTECT,
        related_name="operated_programmes",
    )
    needs_owners = models.ManyToManyField(
        "organisations.Organisation",
        verbose_name=_("participating needs owners"),
        blank=True,
        related_name="needs_owner_programmes",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "name", "id"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="programme_ends_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("programmes:detail", args=[self.pk])


class PhaseKind(models.IntegerChoices):
    """The four phases of the method, in order. The method is iterative: phases can be revisited."""

    IDENTIFY_AND_RECRUIT = 1, _("Identify needs & recruit")
    TEST_ENVIRONMENT = 2, _("Test environments & business development")
    CONCEPT_DEVELOPMENT = 3, _("Concept development (pilot, prototype, beta)")
    IMPLEMENTATION = 4, _("Implementation & evaluation")


class Phase(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="phases")
    kind = models.PositiveSmallIntegerField(_("phase"), choices=PhaseKind.choices)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))

    class Meta:
        ordering = ["programme_id", "kind"]
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        constraints = [
            models.UniqueConstraint(fields=["programme", "kind"], name="one_phase_of_each_kind"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="phase_ends_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.programme}"

    @property
    def name(self):
        return self.get_kind_display()

    def clean(self):
        programme = self.programme
        if (
            self.starts_on
            and self.ends_on
            and (self.starts_on < programme.starts_on or self.ends_on > programme.ends_on)
        ):
            raise ValidationError(
                _("A phase lies within the programme's period, %(starts)s – %(ends)s."),
                params={
                    "starts": date_format(programme.starts_on),
                    "ends": date_format(programme.ends_on),
                },
            )

    def is_current(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.starts_on <= today <= self.ends_on


class GateCriterion(models.Model):
    """One criterion an innovator must meet to pass the gate at the end of a phase."""

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="criteria")
    text = models.CharField(_("criterion"), max_length=300)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["phase_id", "position", "id"]
        verbose_name = _("gate criterion")
        verbose_name_plural = _("gate criteria")

    def __str__(self):
        return self.text
