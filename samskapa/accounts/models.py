import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)  # None gives an unusable password: a person without a login
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username):
        # E-mail addresses are stored in lower case; people type them as they like.
        return self.get(email__iexact=username)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. One person can hold different roles in different programmes (see Membership)."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("may use the admin site"), default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [models.UniqueConstraint(Lower("email"), name="unique_email_ignoring_case")]

    def __str__(self):
        return self.full_name or self.email

    def save(self, *args, **kwargs):
        self.email = self.email.lower()
        super().save(*args, **kwargs)


class Role(models.TextChoices):
    OPERATOR = "operator", _("Operator / facilitator")
    STEERING_GROUP = "steering_group", _("Steering-group member")
    NEEDS_OWNER = "needs_owner", _("Needs owner")
    INNOVATOR = "innovator", _("Innovator")
    REVIEWER = "reviewer", _("Reviewer")
    OBSERVER = "observer", _("Observer")


class Membership(models.Model):
    """A person's role in one programme."""

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    # A needs owner acts for a department; an innovator may act for an organisation.
    department = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="needs_owner_memberships",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="memberships",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["role", "user__full_name", "id"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "user", "role"],
                name="one_membership_per_role",
                violation_error_message=_("This person already has this role in the programme."),
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} – {self.programme}"

    def clean(self):
        from samskapa.organisations.models import OrganisationKind

        if self.role == Role.NEEDS_OWNER:
            if self.department is None:
                raise ValidationError({"department": _("A needs owner acts for a department.")})
            if self.department.kind != OrganisationKind.DEPARTMENT:
                raise ValidationError({"department": _("Choose a department.")})
        elif self.department is not None:
            raise ValidationError({"department": _("Only needs owners act for a department.")})


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def matching(self, raw: str):
        return self.filter(key_hash=_hash_token(raw), user__is_active=True).select_related("user")


class ApiToken(models.Model):
    """A token for scripts calling the API. Only its hash is stored; the key is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return self.name

    @classmethod
    def issue(cls, user, name: str) -> tuple["ApiToken", str]:
        raw = secrets.token_urlsafe(32)
        return cls.objects.create(user=user, name=name, key_hash=_hash_token(raw)), raw
