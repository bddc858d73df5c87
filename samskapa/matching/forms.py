"""The operator's settings for a matching run, and the confirmation."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from samskapa.matching import services
from samskapa.matching.models import Mode


class SettingsForm(forms.Form):
    """Mode, preference weight, gender balance, and places and minimum per challenge. The
    service checks the whole (e.g. a minimum above the places) and its errors come back on the
    fields."""

    label = forms.CharField(
        label=_("Label (optional)"),
        max_length=100,
        required=False,
        help_text=_("To tell runs apart, e.g. “without the balance”."),
    )
    mode = forms.ChoiceField(
        label=_("Mode"),
        choices=Mode.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Optimal places applicants for the highest total of scores and preferences under "
            "all constraints. Stable follows the applicants' rankings: nobody would rather be "
            "at a challenge that would rather have them (it does not enforce the minimums or "
            "the gender balance)."
        ),
    )
    preference_weight = forms.DecimalField(
        label=_("Weight of the applicants' preferences"),
        min_value=Decimal(0),
        max_value=Decimal(services.MAX_PREFERENCE_WEIGHT),
        decimal_places=2,
        help_text=_(
            "Scores are 0–5 (the panel's mean out of 100, divided by 20). A first choice adds "
            "this weight to the total, lower choices less, an unranked challenge nothing."
        ),
    )
    balance = forms.BooleanField(label=_("Balance the genders"), required=False)
    genders = forms.MultipleChoiceField(
        label=_("Genders to balance"),
        choices=[(g.value, g.label) for g in services.BALANCE_GENDERS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    min_share = forms.IntegerField(
        label=_("Minimum share of each (%)"),
        min_value=0,
        max_value=50,
        required=False,
        help_text=_(
            "Among the placed applicants of the chosen genders. Applicants who did not state "
            "a gender are not counted."
        ),
    )
    scope = forms.ChoiceField(
        label=_("Where the balance holds"),
        choices=list(services.SCOPES.items()),
        widget=forms.RadioSelect,
        required=False,
    )

    def __init__(self, *args, challenges=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.challenges = list(challenges)
        for challenge in self.challenges:
            self.fields[f"capacity_{challenge.pk}"] = forms.IntegerField(
                label=_("Places at %(challenge)s") % {"challenge": challenge.title},
                min_value=0,
                max_value=services.MAX_CAPACITY,
            )
            self.fields[f"min_filled_{challenge.pk}"] = forms.IntegerField(
                label=_("Minimum at %(challenge)s") % {"challenge": challenge.title},
                min_value=0,
                max_value=services.MAX_CAPACITY,
            )

    @classmethod
    def initial_from(cls, settings: dict) -> dict:
        """The form's initial values from stored (normalised) settings."""
        balance = settings.get("gender_balance")
        initial = {
            "label": "",
            "mode": settings["mode"],
            "preference_weight": Decimal(str(settings["preference_weight"])),
            "balance": balance is not None,
            "genders": (balance or services.DEFAULT_BALANCE)["genders"],
            "min_share": round(100 * (balance or services.DEFAULT_BALANCE)["min_share"]),
            "scope": (balance or services.DEFAULT_BALANCE)["scope"],
        }
        for pk, values in settings["challenges"].items():
            initial[f"capacity_{pk}"] = values["capacity"]
            initial[f"min_filled_{pk}"] = values["min_filled"]
        return initial

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("balance"):
            if len(cleaned.get("genders") or []) < 2:
                self.add_error("genders", _("Choose at least two genders to balance."))
            if cleaned.get("min_share") is None and not self.has_error("min_share"):
                self.add_error("min_share", _("Give the minimum share."))
        return cleaned

    def to_settings(self) -> dict:
        data = self.cleaned_data
        balance = None
        if data.get("balance"):
            balance = {
                "scope": data.get("scope") or "overall",
                "genders": list(data["genders"]),
                "min_share": data["min_share"] / 100,
            }
        return {
            "label": data.get("label", ""),
            "mode": data["mode"],
            "preference_weight": float(data["preference_weight"]),
            "gender_balance": balance,
            "challenges": {
                str(c.pk): {
                    "capacity": data[f"capacity_{c.pk}"],
                    "min_filled": data[f"min_filled_{c.pk}"],
                }
                for c in self.challenges
            },
        }

    def capacity_rows(self):
        """Per challenge: its title and its two fields, for the table of places."""
        return [(c, self[f"capacity_{c.pk}"], self[f"min_filled_{c.pk}"]) for c in self.challenges]


class ConfirmForm(forms.Form):
    accept_relaxed = forms.BooleanField(
        label=_("I accept this proposal although not every constraint holds"), required=False
    )
