from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ChallengeStatus(models.TextChoices):
    """draft → in review (needs-owner group) → approved (steering group) → published → closed →
    archived. A reviewed challenge can be sent back to draft."""

    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review by the needs-owner group")
    APPROVED = "approved", _("Approved by the steering group")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed")
    ARCHIVED = "archived", _("Archived")


PUBLIC_STATUSES = (ChallengeStatus.PUBLISHED, ChallengeStatus.CLOSED)


class Tag(models.Model):
    """A theme a challenge is about (e.g. loneliness, youth); the portal filters on it."""

    name = models.CharField(_("name"), max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self):
        return self.name


class ChallengeQuerySet(models.QuerySet):
    def visible_to(self, user):
        from samskapa.accounts import permissions

        return permissions.visible(user, self)

    def public(self):
        return self.filter(status__in=PUBLIC_STATUSES)


class Challenge(models.Model):
    """A delimited societal challenge (samhällsutmaning) a needs owner formulates."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="challenges"
    )
    department = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="challenges",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ChallengeStatus.choices, default=ChallengeStatus.DRAFT
    )
    # The content, in the department's own words. Versioned once published (ChallengeVersion).
    title = models.CharField(_("title"), max_length=200)
    need = models.TextField(_("the need"), help_text=_("The need in the department's own words."))
    target_group = models.TextField(_("target group"))
    desired_effects = models.TextField(_("desired effects"))
    already_tried = models.TextField(_("what has already been tried"), blank=True)
    # The test environment offered to the innovators matched to the challenge.
    contact_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contact person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    target_group_access = models.TextField(_("access to the target group"), blank=True)
    premises = models.TextField(_("premises"), blank=True)
    data_offered = models.TextField(_("data"), blank=True)
    budget_min = models.PositiveIntegerField(_("budget from (SEK)"), null=True, blank=True)
    budget_max = models.PositiveIntegerField(_("budget up to (SEK)"), null=True, blank=True)
    potential_customer = models.BooleanField(
        _("the department may become a customer"),
        default=False,
        help_text=_("The department is prepared to buy or partner if the pilot works."),
    )
    tags = models.ManyToManyField(
        Tag, verbose_name=_("themes"), blank=True, related_name="challenges"
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ChallengeQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "title", "id"]
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        constraints = [
            models.CheckConstraint(
                condition=Q(budget_max__isnull=True)
                | Q(budget_min__isnull=True)
                | Q(budget_max__gte=F("budget_min")),
                name="challenge_budget_range",
                violation_error_message=_("The budget's upper end cannot be below its lower end."),
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("challenges:detail", args=[self.pk])

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    # --- Full-text search (challenges/search.py keeps it; index_challenge after each save) ---
    # SQLite: the Swedish Snowball stems of the content, as " A:stem B:stem ...". PostgreSQL
    # leaves it empty and keeps a GIN-indexed tsvector column, `search_vector`, which migration
    # 0002 adds on PostgreSQL only (it is not a model field: SQLite has no tsvector type).
    search_stems = models.TextField(editable=False, blank=True, default="")  # noqa: DJ012


# The fields a version keeps: what the public reads.
VERSIONED_FIELDS = (
    "title",
    "need",
    "target_group",
    "desired_effects",
    "already_tried",
    "target_group_access",
    "premises",
    "data_offered",
    "budget_min",
    "budget_max",
    "potential_customer",
)


class ChallengeVersion(models.Model):
    """The challenge as published, each time it was published or changed after publication."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    content = models.JSONField()  # VERSIONED_FIELDS plus strategy documents and themes
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["challenge_id", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["challenge", "number"], name="one_challenge_version_number"
            )
        ]

    def __str__(self):
        return f"{self.challenge} v{self.number}"


class StrategyDocument(models.Model):
    """A strategy document of the city the challenge is anchored in."""

    challenge = models.ForeignKey(
        Challenge, on_delete=models.CASCADE, related_name="strategy_documents"
    )
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("link"))

    class Meta:
        ordering = ["challenge_id", "id"]
        verbose_name = _("strategy document")
        verbose_name_plural = _("strategy documents")

    def __str__(self):
        return self.title


class ChallengeEvent(models.Model):
    """A recorded step in the workflow: a transition (with its decision note) or a comment."""

    class Kind(models.TextChoices):
        TRANSITION = "transition", _("Decision")
        COMMENT = "comment", _("Comment")

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    from_status = models.CharField(max_length=20, choices=ChallengeStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ChallengeStatus.choices, blank=True)
    text = models.TextField(_("comment"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["challenge_id", "created_at", "id"]

    def __str__(self):
        return f"{self.challenge}: {self.kind}"
