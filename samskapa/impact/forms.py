from django import forms
from django.utils.translation import gettext_lazy as _

from samskapa.impact.models import ChangeStep, Indicator, LibraryIndicator, StepKind

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ServiceValidated(forms.ModelForm):
    def _post_clean(self):
        # The service validates (and scans for identity numbers) inside its transaction, so
        # that the page and the API give the same messages.
        pass

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in self.fields}


class StepForm(ServiceValidated):
    class Meta:
        model = ChangeStep
        fields = ["kind", "text", "stakeholder"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"stakeholder": _("Required for outcomes: whom the outcome concerns.")}

    def __init__(self, *args, kind=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stakeholder"].required = False
        if kind in StepKind.values and not self.is_bound and self.instance.pk is None:
            self.initial["kind"] = kind


class IndicatorForm(ServiceValidated):
    class Meta:
        model = Indicator
        fields = [
            "library_indicator",
            "name",
            "definition",
            "unit",
            "direction",
            "baseline_value",
            "baseline_date",
            "target_value",
            "target_date",
            "frequency",
            "data_source",
        ]
        widgets = {
            "definition": forms.Textarea(attrs={"rows": 3}),
            "baseline_date": DATE_INPUT,
            "target_date": DATE_INPUT,
        }

    def __init__(self, *args, library=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["library_indicator"]
        else:
            self.fields["library_indicator"].queryset = library
            self.fields["library_indicator"].required = False

    def clean(self):
        cleaned = super().clean()
        baseline, target = cleaned.get("baseline_date"), cleaned.get("target_date")
        if baseline and target and target < baseline:
            self.add_error("target_date", _("The target date cannot be before the baseline date."))
        return cleaned


class LibraryChoiceForm(forms.Form):
    """ "Take from the library": a library indicator whose fields prefill the new indicator."""

    library = forms.ModelChoiceField(
        label=_("Indicator from the library"), queryset=LibraryIndicator.objects.none()
    )

    def __init__(self, *args, library=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["library"].queryset = library


class LibraryIndicatorForm(ServiceValidated):
    class Meta:
        model = LibraryIndicator
        fields = ["name", "definition", "unit", "direction", "challenge", "iris_code"]
        widgets = {"definition": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, programme=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["challenge"].queryset = programme.challenges.order_by("title")


class MeasurementForm(forms.Form):
    period = forms.DateField(
        label=_("Period"),
        widget=DATE_INPUT,
        help_text=_("Any day of the period: it is stored as the period's first day."),
    )
    value = forms.FloatField(label=_("Value"))
    respondents = forms.IntegerField(
        label=_("Number of people"),
        required=False,
        min_value=0,
        help_text=_("How many people the value rests on, when known."),
    )
    replace = forms.BooleanField(required=False, widget=forms.HiddenInput)
