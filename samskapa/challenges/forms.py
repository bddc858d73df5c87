from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from samskapa.accounts import permissions
from samskapa.accounts.models import Role, User
from samskapa.challenges.models import Challenge
from samskapa.organisations.models import OrganisationKind


class ChallengeForm(forms.ModelForm):
    themes = forms.CharField(
        label=_("Themes"),
        required=False,
        max_length=500,
        help_text=_("Separate themes with commas, e.g. loneliness, elderly, neighbourhood."),
    )
    strategy_documents = forms.CharField(
        label=_("Strategy documents"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line: the title, a vertical bar, the link. "
            "E.g. Strategy for the inclusive city | https://example.se/strategy.pdf"
        ),
    )

    class Meta:
        model = Challenge
        fields = [
            "department",
            "title",
            "need",
            "target_group",
            "desired_effects",
            "already_tried",
            "contact_person",
            "target_group_access",
            "premises",
            "data_offered",
            "budget_min",
            "budget_max",
            "potential_customer",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in (
                "need",
                "target_group",
                "desired_effects",
                "already_tried",
                "target_group_access",
                "premises",
                "data_offered",
            )
        }

    def __init__(self, *args, programme, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        departments = programme.needs_owners.filter(kind=OrganisationKind.DEPARTMENT)
        if Role.OPERATOR not in permissions.roles_in(user, programme) and not user.is_superuser:
            own = permissions.needs_owner_departments(user).get(programme.pk, frozenset())
            departments = departments.filter(pk__in=own)
        self.fields["department"].queryset = departments.order_by("name")
        self.fields["contact_person"].queryset = User.objects.filter(
            memberships__programme=programme, memberships__role=Role.NEEDS_OWNER
        ).distinct()
        if self.instance.pk:
            self.initial["themes"] = ", ".join(t.name for t in self.instance.tags.all())
            self.initial["strategy_documents"] = "\n".join(
                f"{d.title} | {d.url}" for d in self.instance.strategy_documents.all()
            )

    def clean_themes(self):
        return [
            name.strip()[:60] for name in self.cleaned_data["themes"].split(",") if name.strip()
        ]

    def clean_strategy_documents(self):
        documents, check_url = [], URLValidator(schemes=["http", "https"])
        for number, line in enumerate(self.cleaned_data["strategy_documents"].splitlines(), 1):
            if not line.strip():
                continue
            title, bar, url = line.rpartition("|")
            try:
                if not bar or not title.strip():
                    raise ValidationError("")
                check_url(url.strip())
            except ValidationError:
                raise ValidationError(
                    _("Line %(number)s: write the title, a vertical bar and a link (https://…)."),
                    params={"number": number},
                ) from None
            documents.append((title.strip()[:200], url.strip()))
        return documents


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Comment on the decision (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
