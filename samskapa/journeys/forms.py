from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from samskapa.accounts.models import User
from samskapa.journeys.models import GateOutcome, GroupKind, GroupMeeting
from samskapa.journeys.services import FIRST_JOURNEY_PHASE
from samskapa.programmes.models import PhaseKind


class JourneyForm(forms.Form):
    innovator = forms.ModelChoiceField(
        label=_("Innovator"),
        queryset=User.objects.none(),
        help_text=_("Someone already in the programme (add them as a member first)."),
    )

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["innovator"].queryset = (
            User.objects.filter(memberships__programme=programme)
            .exclude(journeys__programme=programme)
            .distinct()
            .order_by("full_name", "pk")
        )


class ChecklistForm(forms.Form):
    """One row per check of the gate: met / not met / not assessed, evidence link, note."""

    MET_CHOICES = [("", _("Not assessed")), ("yes", _("Met")), ("no", _("Not met"))]

    def __init__(self, *args, checks, **kwargs):
        super().__init__(*args, **kwargs)
        self.checks = list(checks)
        for check in self.checks:
            met = {True: "yes", False: "no", None: ""}[check.met]
            self.fields[f"met_{check.pk}"] = forms.ChoiceField(
                label=_("Met?"),
                choices=self.MET_CHOICES,
                required=False,
                initial=met,
                widget=forms.RadioSelect,
            )
            self.fields[f"evidence_{check.pk}"] = forms.CharField(
                label=_("Evidence link"),
                required=False,
                max_length=500,
                initial=check.evidence_url,
                widget=forms.URLInput(attrs={"placeholder": "https://"}),
            )
            self.fields[f"note_{check.pk}"] = forms.CharField(
                label=_("Note"),
                required=False,
                max_length=2000,
                initial=check.note,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self):
        return [
            (check, self[f"met_{check.pk}"], self[f"evidence_{check.pk}"], self[f"note_{check.pk}"])
            for check in self.checks
        ]

    def service_checks(self) -> dict:
        data = self.cleaned_data
        return {
            check.pk: {
                "met": {"yes": True, "no": False}.get(data[f"met_{check.pk}"]),
                "evidence_url": data[f"evidence_{check.pk}"],
                "note": data[f"note_{check.pk}"],
            }
            for check in self.checks
        }


class RecommendationForm(forms.Form):
    recommendation = forms.ChoiceField(
        label=_("Recommendation"), choices=GateOutcome.choices, widget=forms.RadioSelect
    )
    recommendation_text = forms.CharField(
        label=_("Reasons"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=GateOutcome.choices, widget=forms.RadioSelect
    )
    target_phase = forms.TypedChoiceField(
        label=_("Phase to go back to (iterate)"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_(
            "Only for iterate: the previous phase unless you choose another (from phase 2: "
            "phase 2 again)."
        ),
    )
    # Required in the service (its message says why); not here, so it is the same message.
    rationale = forms.CharField(
        label=_("Rationale"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    decided_on = forms.DateField(
        label=_("Date of the decision"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    members_present = forms.ModelMultipleChoiceField(
        label=_("Members present"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    meeting = forms.ModelChoiceField(
        label=_("Taken at the meeting"), queryset=GroupMeeting.objects.none(), required=False
    )

    def __init__(self, *args, gate, members, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        # Iterate goes back to an earlier phase or stays, never to phase 1 (recruitment).
        self.fields["target_phase"].choices = [("", "—")] + [
            (kind.value, kind.label)
            for kind in PhaseKind
            if FIRST_JOURNEY_PHASE <= kind.value <= gate.phase
        ]
        self.fields["rationale"].widget.attrs["required"] = False
        self.fields["members_present"].queryset = members
        self.fields["meeting"].queryset = meetings


class MeetingForm(forms.ModelForm):
    """A group meeting; its agenda as rows of a title and the innovator journey the item
    concerns (if any). When editing, each existing item keeps its row (by id): an empty title
    removes it. A few empty rows add items."""

    NEW_ROWS = 5  # empty rows for a new meeting
    EXTRA_ROWS = 3  # empty rows after the items of an existing one

    class Meta:
        model = GroupMeeting
        fields = ["kind", "starts_at", "place", "attendees", "minutes"]
        widgets = {
            "starts_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "attendees": forms.CheckboxSelectMultiple,
            "minutes": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args, programme, kind=None, **kwargs):
        from samskapa.journeys.services import group_members

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = GroupKind.choices
        kind = self.instance.kind if self.instance.pk else (self.data.get("kind") or kind)
        members = (
            group_members(programme, kind)
            if kind in GroupKind.values
            else User.objects.filter(
                memberships__programme=programme,
                memberships__role__in=["steering_group", "needs_owner"],
            ).distinct()
        )
        self.fields["attendees"].queryset = members.order_by("full_name", "pk")
        self.fields["attendees"].required = False
        items = []
        if self.instance.pk:
            del self.fields["kind"]
            items = list(self.instance.items.all())
        journeys = programme.journeys.select_related("innovator", "organisation").order_by(
            "innovator__full_name", "pk"
        )
        self.agenda_size = len(items) + (self.EXTRA_ROWS if self.instance.pk else self.NEW_ROWS)
        for index in range(self.agenda_size):
            item = items[index] if index < len(items) else None
            number = {"number": index + 1}
            self.fields[f"agenda-{index}-id"] = forms.IntegerField(
                required=False,
                widget=forms.HiddenInput,
                initial=item.pk if item else None,
            )
            self.fields[f"agenda-{index}-title"] = forms.CharField(
                label=gettext("Item %(number)s") % number,
                required=False,
                max_length=300,
                initial=item.title if item else "",
            )
            self.fields[f"agenda-{index}-journey"] = forms.ModelChoiceField(
                label=gettext("Innovator journey of item %(number)s") % number,
                queryset=journeys,
                required=False,
                initial=item.journey_id if item else None,
            )

    def main_fields(self):
        return [field for field in self.visible_fields() if not field.name.startswith("agenda-")]

    def agenda_rows(self):
        return [
            (
                self[f"agenda-{index}-id"],
                self[f"agenda-{index}-title"],
                self[f"agenda-{index}-journey"],
            )
            for index in range(self.agenda_size)
        ]

    def clean(self):
        data = super().clean()
        for index in range(self.agenda_size):
            if (
                data.get(f"agenda-{index}-journey")
                and not (data.get(f"agenda-{index}-title") or "").strip()
                and not data.get(f"agenda-{index}-id")
            ):
                self.add_error(
                    f"agenda-{index}-title",
                    _("Give the item a title, or leave its innovator journey empty."),
                )
        return data

    def service_fields(self) -> dict:
        data = {
            name: value
            for name, value in self.cleaned_data.items()
            if not name.startswith("agenda-")
        }
        data["agenda"] = [
            {
                "id": self.cleaned_data[f"agenda-{index}-id"],
                "title": self.cleaned_data[f"agenda-{index}-title"],
                "journey": self.cleaned_data[f"agenda-{index}-journey"],
            }
            for index in range(self.agenda_size)
        ]
        data["attendees"] = list(data["attendees"])
        return data


class ConflictForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Member"), queryset=User.objects.none())
    journey = forms.ModelChoiceField(
        label=_("Innovator journey it concerns"), queryset=None, required=False
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, meeting, journeys, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = meeting.attendees.order_by("full_name", "pk")
        self.fields["journey"].queryset = journeys
