from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from samskapa.cases.models import Payer, Proxy, Starts
from samskapa.impact import case as core

SHARE_HELP = _("A share from 0 to 1: 0.3 = 30 %.")


class ProxyForm(forms.ModelForm):
    class Meta:
        model = Proxy
        fields = ["name", "value", "unit", "source", "year", "payer"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].help_text = _(
            "Where the figure comes from, so that others can check it (a report, a price list)."
        )


class CaseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    investment = forms.FloatField(
        label=_("Investment (SEK)"), help_text=_("What the pilot costs, in SEK.")
    )
    discount_rate = forms.FloatField(
        label=_("Discount rate"),
        initial=core.DEFAULT_DISCOUNT_RATE,
        help_text=_("0.035 = 3.5 % a year (the rate the Swedish guidance suggests)."),
    )


class OutcomeForm(forms.Form):
    """One outcome of the theory of change in a case: included or not, and its figures."""

    include = forms.BooleanField(label=_("Include this outcome in the case"), required=False)
    quantity = forms.FloatField(
        label=_("Quantity"),
        required=False,
        help_text=_("How many (people, days, visits) the outcome concerns a year."),
    )
    indicator = forms.TypedChoiceField(
        label=_("Or measured by"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("The indicator's latest measured value replaces the quantity."),
    )
    proxy = forms.TypedChoiceField(
        label=_("Proxy from the library"), required=False, coerce=int, empty_value=None
    )
    proxy_value = forms.FloatField(
        label=_("Or proxy value (SEK per unit)"),
        required=False,
        help_text=_("Empty: the library proxy's value."),
    )
    proxy_source = forms.CharField(label=_("Source of the proxy"), required=False, max_length=500)
    deadweight = forms.FloatField(
        label=_("Deadweight"),
        initial=0,
        help_text=format_lazy("{} {}", _("What would have happened anyway."), SHARE_HELP),
    )
    attribution = forms.FloatField(
        label=_("Attribution"),
        initial=0,
        help_text=format_lazy("{} {}", _("What others contributed."), SHARE_HELP),
    )
    displacement = forms.FloatField(
        label=_("Displacement"),
        initial=0,
        help_text=format_lazy("{} {}", _("What was only moved elsewhere."), SHARE_HELP),
    )
    drop_off = forms.FloatField(
        label=_("Drop-off"),
        initial=0,
        help_text=format_lazy(
            "{} {}", _("How much the effect fades each year after the first."), SHARE_HELP
        ),
    )
    duration_years = forms.IntegerField(label=_("Duration (years)"), initial=1)
    starts = forms.ChoiceField(label=_("Starts"), choices=Starts.choices, initial=Starts.DURING)
    payer = forms.ChoiceField(
        label=_("Whose budget gains"), choices=Payer.choices, initial=Payer.KOMMUN
    )

    def __init__(self, *args, step, indicators=(), proxies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.step = step
        self.fields["indicator"].choices = [("", "–")] + [
            (indicator.pk, indicator.name) for indicator in indicators
        ]
        self.fields["proxy"].choices = [("", "–")] + [
            (proxy.pk, f"{proxy.name} ({proxy.value:.0f} SEK {proxy.unit}, {proxy.year})")
            for proxy in proxies
        ]
        if not self.is_bound or not self.data.get(self.add_prefix("include")):
            # An outcome left out needs no figures.
            for name, field in self.fields.items():
                if name != "include":
                    field.required = False

    @property
    def included(self) -> bool:
        return bool(self.cleaned_data.get("include"))

    def service_fields(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "include"}
        data["step"] = self.step.pk
        return data
