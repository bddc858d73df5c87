from operator import attrgetter

from django import forms
from django.utils.translation import gettext_lazy as _

from samskapa.accounts.models import Membership, Role
from samskapa.organisations.models import Organisation, OrganisationKind
from samskapa.programmes.models import Phase, Programme

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = Programme
        fields = [
            "name",
            "narrative",
            "starts_on",
            "ends_on",
            "operator_organisation",
            "needs_owners",
        ]
        widgets = {
            "starts_on": DATE_INPUT,
            "ends_on": DATE_INPUT,
            "narrative": forms.Textarea(attrs={"rows": 4}),
            "needs_owners": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operator_organisation"].queryset = Organisation.objects.filter(
            kind__in=[OrganisationKind.INNOVATION_SUPPORT, OrganisationKind.UNIVERSITY]
        )
        self.fields["needs_owners"].queryset = Organisation.objects.filter(
            kind__in=[
                OrganisationKind.DEPARTMENT,
                OrganisationKind.MUNICIPALITY,
                OrganisationKind.REGION,
            ]
        ).select_related("parent")
        self.fields["needs_owners"].label_from_instance = attrgetter("name_with_parent")

    def service_fields(self) -> dict:
        return dict(self.cleaned_data)


class PhaseForm(forms.ModelForm):
    criteria = forms.CharField(
        label=_("Gate criteria"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One criterion per line, in the order they are checked at the gate."),
    )

    class Meta:
        model = Phase
        fields = ["starts_on", "ends_on"]
        widgets = {"starts_on": DATE_INPUT, "ends_on": DATE_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "criteria" not in self.initial:
            self.initial["criteria"] = "\n".join(c.text for c in self.instance.criteria.all())

    def clean_criteria(self):
        lines = [line.strip() for line in self.cleaned_data["criteria"].splitlines()]
        too_long = [line for line in lines if len(line) > 300]
        if too_long:
            raise forms.ValidationError(_("Each criterion can be at most 300 characters."))
        return [line for line in lines if line]


class MembershipForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    full_name = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=200,
        help_text=_("Needed only for a person who is new to Samskapa."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    department = forms.ModelChoiceField(
        label=_("Department"),
        required=False,
        queryset=Organisation.objects.none(),
        help_text=_("Needed for a needs owner: one of the programme's participating departments."),
    )

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        # The programme's own needs owners, not the whole national register (hundreds of
        # departments share a name), labelled with their municipality.
        self.fields["department"].queryset = (
            programme.needs_owners.filter(kind=OrganisationKind.DEPARTMENT)
            .select_related("parent")
            .order_by("name")
        )
        self.fields["department"].label_from_instance = attrgetter("name_with_parent")

    def clean(self):
        data = super().clean()
        email, role = data.get("email"), data.get("role")
        if (
            email
            and role
            and Membership.objects.filter(
                programme=self.programme, user__email=email.lower(), role=role
            ).exists()
        ):
            raise forms.ValidationError(_("This person already has this role in the programme."))
        return data
