from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from stdnum.se import orgnr


class County(models.Model):
    """One of Sweden's 21 counties (län), by SCB's two-digit code. Reference data."""

    code = models.CharField(_("county code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("county")
        verbose_name_plural = _("counties")

    def __str__(self):
        return self.name


class Municipality(models.Model):
    """One of Sweden's 290 municipalities, by SCB's four-digit kommunkod. Reference data."""

    code = models.CharField(_("municipality code"), max_length=4, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="municipalities")

    class Meta:
        ordering = ["code"]
        verbose_name = _("municipality code")
        verbose_name_plural = _("municipality codes")

    def __str__(self):
        return f"{self.name} ({self.code})"


class OrganisationKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("Municipality")
    REGION = "region", _("Region")
    DEPARTMENT = "department", _("Department")
    INNOVATION_SUPPORT = "innovation_support", _("Innovation-support organisation")
    UNIVERSITY = "university", _("University")
    INNOVATOR = "innovator", _("Innovator organisation")


class LegalForm(models.TextChoices):
    AKTIEBOLAG = "ab", _("Limited company (aktiebolag)")
    AB_SVB = (
        "ab_svb",
        _("Limited company with restricted dividends (AB med särskild vinstutdelningsbegränsning)"),
    )
    ECONOMIC_ASSOCIATION = "ek_forening", _("Economic association (ekonomisk förening)")
    NON_PROFIT_ASSOCIATION = "ideell_forening", _("Non-profit association (ideell förening)")
    FOUNDATION = "stiftelse", _("Foundation (stiftelse)")
    SOLE_TRADER = "enskild_firma", _("Sole trader (enskild firma)")
    PUBLIC_BODY = "public_body", _("Public body")


PUBLIC_KINDS = (OrganisationKind.MUNICIPALITY, OrganisationKind.REGION, OrganisationKind.DEPARTMENT)


def validate_org_number(value: str) -> None:
    if not orgnr.is_valid(value):
        raise ValidationError(
            _(
                "%(value)s is not a valid Swedish organisation number (ten digits with a correct "
                "check digit, e.g. 556036-0793)."
            ),
            code="invalid_org_number",
            params={"value": value},
        )


class OrganisationQuerySet(models.QuerySet):
    def visible_to(self, user):
        from samskapa.accounts import permissions

        return permissions.visible(user, self)


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=OrganisationKind.choices)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("municipality code"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    county = models.ForeignKey(
        County,
        verbose_name=_("county"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    legal_form = models.CharField(
        _("legal form"), max_length=30, choices=LegalForm.choices, blank=True
    )
    org_number = models.CharField(
        _("organisation number"), max_length=11, blank=True, validators=[validate_org_number]
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["org_number"], condition=~Q(org_number=""), name="unique_org_number"
            ),
            models.UniqueConstraint(
                fields=["municipality"],
                condition=Q(kind="municipality"),
                name="one_organisation_per_municipality",
                violation_error_message=_(
                    "There is already an organisation for this municipality."
                ),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.org_number:
            self.org_number = orgnr.format(self.org_number)
        super().save(*args, **kwargs)

    def clean(self):
        if self.org_number and orgnr.is_valid(self.org_number):
            self.org_number = orgnr.format(self.org_number)
        errors = {**self._kind_errors(), **self._parent_errors()}
        if errors:
            raise ValidationError(errors)

    def _kind_errors(self) -> dict:
        errors = {}
        if self.kind == OrganisationKind.MUNICIPALITY:
            if not self.municipality_id:
                errors["municipality"] = _("A municipality needs its official four-digit code.")
            elif self.county_id and self.county_id != self.municipality.county_id:
                errors["county"] = _("This is not the county the municipality lies in.")
        elif self.municipality_id:
            errors["municipality"] = _("Only a municipality has a municipality code.")
        if self.kind == OrganisationKind.REGION and not self.county_id:
            errors["county"] = _("Choose the county the region serves.")
        elif self.county_id and self.kind not in (
            OrganisationKind.REGION,
            OrganisationKind.MUNICIPALITY,
        ):
            errors["county"] = _("Only a region or a municipality has a county.")
        if self.kind == OrganisationKind.INNOVATOR and not self.legal_form:
            errors["legal_form"] = _("Choose the innovator organisation's legal form.")
        return errors

    def _parent_errors(self) -> dict:
        if self.kind == OrganisationKind.DEPARTMENT:
            if not self.parent_id:
                return {"parent": _("Choose the municipality or region the department belongs to.")}
            if self.parent.kind not in (OrganisationKind.MUNICIPALITY, OrganisationKind.REGION):
                return {"parent": _("A department's parent must be a municipality or region.")}
        elif self.parent_id and self.kind in (
            OrganisationKind.MUNICIPALITY,
            OrganisationKind.REGION,
        ):
            return {"parent": _("A municipality or region belongs to no other organisation.")}
        if self.pk and self._ancestor_ids() & {self.pk}:
            return {"parent": _("An organisation cannot belong to itself.")}
        return {}

    def _ancestor_ids(self, limit: int = 20) -> set[int]:
        ids, parent_id = set(), self.parent_id
        while parent_id and parent_id not in ids and len(ids) < limit:
            ids.add(parent_id)
            parent_id = (
                Organisation.objects.filter(pk=parent_id)
                .values_list("parent_id", flat=True)
                .first()
            )
        return ids

    @property
    def name_with_parent(self) -> str:
        """For choosing among departments: many municipalities have a "Socialförvaltningen"."""
        return f"{self.name} ({self.parent.name})" if self.parent_id else self.name

    @property
    def is_public_body(self) -> bool:
        return self.kind in PUBLIC_KINDS
