"""The public portal's search and filters."""

from django import forms
from django.core.cache import cache
from django.db.models import Count, Max
from django.utils.translation import gettext_lazy as _

from samskapa.challenges.models import PUBLIC_STATUSES, Challenge, Tag
from samskapa.challenges.search import search_challenges
from samskapa.core.forms import PlainSelect
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
        label=_("Municipality or region"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=PlainSelect,
    )
    department = DepartmentChoiceField(
        label=_("Department"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=PlainSelect,
    )
    theme = forms.ModelChoiceField(
        label=_("Theme"), queryset=Tag.objects.none(), required=False, widget=PlainSelect
    )
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        public = Challenge.objects.public()
        # The querysets validate a submitted choice; the options shown come from the cache.
        self.fields["municipality"].queryset = _municipalities(public)
        self.fields["department"].queryset = _departments(public)
        self.fields["theme"].queryset = _themes(public)
        for name, choices in filter_choices().items():
            self.fields[name].choices = [("", _("All")), *choices]
        self.fields["status"].choices = [("", _("All"))] + [
            (status.value, status.label) for status in PUBLIC_STATUSES
        ]

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


def _municipalities(public):
    return Organisation.objects.filter(pk__in=public.values("department__parent_id")).order_by(
        swedish("name"), "pk"
    )


def _departments(public):
    return (
        Organisation.objects.filter(pk__in=public.values("department_id"))
        .select_related("parent")
        .order_by(swedish("name"), "pk")
    )


def _themes(public):
    return Tag.objects.filter(pk__in=public.values("tags")).order_by(swedish("name"), "pk")


# Renaming a department or theme shows in the filters after at most this long; publishing or
# closing a challenge shows at once (the key changes).
CHOICES_SECONDS = 300


def filter_choices() -> dict[str, list[tuple[int, str]]]:
    """The options of the municipality, department and theme filters: only those public
    challenges have. Computing them took three queries and most of the portal's time on the
    national dataset, so they are cached per state of the public challenges (their number and
    latest change: one indexed query)."""
    public = Challenge.objects.public()
    state = public.aggregate(count=Count("pk"), latest=Max("updated_at"))
    latest = state["latest"].timestamp() if state["latest"] else 0
    key = f"portal:filter-choices:{state['count']}:{latest}"  # no spaces: any cache backend
    choices = cache.get(key)
    if choices is None:
        label = DepartmentChoiceField.label_from_instance
        choices = {
            "municipality": [(o.pk, o.name) for o in _municipalities(public)],
            "department": [(o.pk, label(None, o)) for o in _departments(public)],
            "theme": [(t.pk, t.name) for t in _themes(public)],
        }
        cache.set(key, choices, CHOICES_SECONDS)
    return choices
