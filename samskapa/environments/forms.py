from django import forms
from django.utils.translation import gettext_lazy as _

from samskapa.accounts.models import Membership, Role, User
from samskapa.calls import uploads
from samskapa.calls.forms import StockholmDateTimeField
from samskapa.environments.models import Meeting, Task, TestEnvironment
from samskapa.environments.services import AGREEMENT_FILE_TYPES, WORKSPACE_FILE_TYPES

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
OFFER_FIELDS = [
    "target_group_access",
    "premises",
    "data_offered",
    "staff_time",
    "budget",
    "aims",
    "starts_on",
    "ends_on",
]
TEXT_AREAS = {
    name: forms.Textarea(attrs={"rows": 3})
    for name in ("target_group_access", "premises", "data_offered", "staff_time", "aims")
}


class ServiceValidatedForm(forms.ModelForm):
    def _post_clean(self):
        # The service validates the model (and its constraints) as part of its transaction,
        # so that the page's form and the API give the same messages.
        pass

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The end date cannot be before the start date."))
        return cleaned

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


def _members(programme, roles=None):
    # A subquery rather than a join with .distinct(): the result can be OR-ed with another
    # queryset of people (the current contact person).
    memberships = Membership.objects.filter(programme=programme)
    if roles is not None:
        memberships = memberships.filter(role__in=roles)
    return User.objects.filter(pk__in=memberships.values("user_id")).order_by("full_name", "pk")


class TestEnvironmentForm(ServiceValidatedForm):
    """An operator's changes to a test environment, the signed agreement included."""

    agreement = forms.FileField(
        label=_("Signed data-sharing agreement"),
        required=False,
        help_text=_("PDF, PNG or JPEG. Attaching it marks the agreement as signed."),
        widget=forms.ClearableFileInput(
            attrs={"accept": uploads.accept_attribute(AGREEMENT_FILE_TYPES)}
        ),
    )

    class Meta:
        model = TestEnvironment
        fields = [
            "contact_person",
            "facilitator",
            *OFFER_FIELDS,
            "data_agreement_signed",
            "status",
        ]
        widgets = TEXT_AREAS | {"starts_on": DATE_INPUT, "ends_on": DATE_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        programme = self.instance.programme
        contacts = _members(programme)
        if self.instance.contact_person_id:
            contacts = contacts | User.objects.filter(pk=self.instance.contact_person_id)
        self.fields["contact_person"].queryset = contacts.order_by("full_name", "pk")
        self.fields["facilitator"].queryset = _members(programme, [Role.OPERATOR])
        self.fields["facilitator"].help_text = _("One of the programme's operators.")

    def service_fields(self) -> dict:
        return super().service_fields() | {"agreement": self.cleaned_data.get("agreement")}


class NewTestEnvironmentForm(ServiceValidatedForm):
    """Setting up a test environment by hand: the innovator among the programme's people, the
    challenge among its challenges; the offer starts as the challenge's unless filled in."""

    innovator = forms.ModelChoiceField(label=_("Innovator"), queryset=User.objects.none())

    class Meta:
        model = TestEnvironment
        fields = ["innovator", "challenge", *OFFER_FIELDS]
        widgets = TEXT_AREAS | {"starts_on": DATE_INPUT, "ends_on": DATE_INPUT}

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["innovator"].queryset = _members(programme)
        self.fields["innovator"].help_text = _(
            "Someone in the programme; they get the innovator role and a journey if they have none."
        )
        self.fields["challenge"].queryset = programme.challenges.order_by("title")
        self.fields["target_group_access"].help_text = _(
            "Left empty, the challenge's offer is used."
        )

    def service_fields(self) -> dict:
        fields = super().service_fields()
        fields.pop("innovator")
        challenge = fields["challenge"]
        # The challenge's offer is the starting point for what is left empty.
        for name, source in (
            ("target_group_access", "target_group_access"),
            ("premises", "premises"),
            ("data_offered", "data_offered"),
            ("budget", "budget_max"),
        ):
            if fields[name] in ("", None):
                fields[name] = getattr(challenge, source)
        return fields | {"innovator": self.cleaned_data["innovator"]}


class TaskForm(forms.ModelForm):
    class Meta:
        model = Task
        fields = ["title", "owner", "due_on"]
        widgets = {"due_on": DATE_INPUT}

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, prefix="task", **kwargs)
        self.fields["owner"].queryset = participants

    def _post_clean(self):
        pass


class MeetingForm(forms.ModelForm):
    starts_at = StockholmDateTimeField(label=_("When (Stockholm time)"))

    class Meta:
        model = Meeting
        fields = ["starts_at", "place", "video_link", "agenda", "notes"]
        widgets = {
            "agenda": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="meeting", **kwargs)
        self.fields["place"].help_text = _("Where, or give a video link (or both).")

    def _post_clean(self):
        pass


class FileForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(
            attrs={"accept": uploads.accept_attribute(WORKSPACE_FILE_TYPES)}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="file", **kwargs)
        self.fields["file"].help_text = _(
            "PDF, Word, OpenDocument text, Excel, PNG or JPEG, at most %(max)s MB."
        ) % {"max": uploads.default_max_mb()}
