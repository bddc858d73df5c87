"""The public portal's search and filters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from samskapa.challenges.models import PUBLIC_STATUSES, Challenge, Tag
from samskapa.challenges.search import search_challenges
from samskapa.core.ordering import swedish
from samskapa.organisations.models import Organisation


class DepartmentChoiceField(forms.ModelChoiceField):
    # Departments of different municipalities often share a name ("Socialförvaltningen").
    def label_from_instance(self, obj):
        return f"{obj.name}, {obj.parent.name}" if obj.parent_id else obj.name


class PortalFilterForm(forms.Form):
    """Search and filters over the public challenges. The choices offered are only those that
    public challenges have, so that a filter never leads to an empty page by construction."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    municipality = forms.ModelChoiceField(
        label=_("Municipality or region"), queryset=Organisation.objects.none(), required=False
    )
    department = DepartmentChoiceField(
        label=_("Department"), queryset=Organisation.objects.none(), required=False
    )
    theme = forms.ModelChoiceField(label=_("Theme"), queryset=Tag.objects.none(), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        public = Challenge.objects.public()
        self.fields["municipality"].queryset = Organisation.objects.filter(
            pk__in=public.values("department__parent_id")
        ).order_by(swedish("name"), "pk")
        self.fields["department"].queryset = (
            Organisation.objects.filter(pk__in=public.values("department_id"))
            .select_related("parent")
            .order_by(swedish("name"), "pk")
        )
        self.fields["theme"].queryset = Tag.objects.filter(pk__in=public.values("tags")).order_by(
            swedish("name"), "pk"
        )
        self.fields["status"].choices = [("", _("All"))] + [
            (status.value, status.label) for status in PUBLIC_STATUSES
        ]
        for name in ("municipality", "department", "theme"):
            self.fields[name].empty_label = _("All")

    def filter(self, challenges):
        """`challenges` narrowed by the valid filters (an invalid one is shown, not applied)."""
        data = getattr(self, "cleaned_data", {})
        if data.get("municipality"):
            challenges = challenges.filter(department__parent=data["municipality"])
        if data.get("department"):
            challenges = challenges.filter(department=data["department"])
        if data.get("theme"):
            challenges = challenges.filter(tags=data["theme"])
        if data.get("status"):
            challenges = challenges.filter(status=data["status"])
        return search_challenges(challenges, data.get("q", ""))

    @property
    def is_filtered(self) -> bool:
        return any(getattr(self, "cleaned_data", {}).values())
