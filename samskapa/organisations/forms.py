from django import forms
from django.utils.translation import gettext_lazy as _

from samskapa.organisations.models import Municipality, Organisation, OrganisationKind


class OrganisationForm(forms.ModelForm):
    # Typed as the official code (e.g. 0180) so that an unknown code gets a clear error.
    municipality_code = forms.CharField(
        label=_("Municipality code"),
        required=False,
        max_length=4,
        help_text=_("The official four-digit code (kommunkod), e.g. 0180 for Stockholm."),
    )

    class Meta:
        model = Organisation
        fields = [
            "name",
            "kind",
            "municipality_code",
            "county",
            "parent",
            "legal_form",
            "org_number",
            "website",
            "description",
        ]
        help_texts = {
            "org_number": _("Ten digits, e.g. 556036-0793."),
            "parent": _("For a department: the municipality or region it belongs to."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Organisation.objects.filter(
            kind__in=[OrganisationKind.MUNICIPALITY, OrganisationKind.REGION]
        ).order_by("name")
        if self.instance.municipality_id:
            self.initial["municipality_code"] = self.instance.municipality_id

    def clean_municipality_code(self):
        code = self.cleaned_data["municipality_code"].strip()
        if not code:
            return None
        municipality = Municipality.objects.filter(code=code).first()
        if municipality is None:
            raise forms.ValidationError(
                _("%(code)s is not an official Swedish municipality code."),
                code="unknown_municipality",
                params={"code": code},
            )
        return municipality

    def _post_clean(self):
        self.instance.municipality = self.cleaned_data.get("municipality_code")
        super()._post_clean()

    def _update_errors(self, errors):
        # The model speaks of `municipality`; the form shows it as the code field.
        if hasattr(errors, "error_dict") and "municipality" in errors.error_dict:
            errors.error_dict["municipality_code"] = errors.error_dict.pop("municipality")
        super()._update_errors(errors)

    def service_fields(self) -> dict:
        data = {
            name: self.cleaned_data[name]
            for name in self.Meta.fields
            if name != "municipality_code"
        }
        data["municipality"] = self.cleaned_data.get("municipality_code")
        return data


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds"))] + OrganisationKind.choices
    )
