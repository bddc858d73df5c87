from django import forms
from django.utils.translation import gettext_lazy as _

from samskapa.calls.forms import StockholmDateTimeField
from samskapa.recruitment.models import LabSlot


class LabSlotForm(forms.ModelForm):
    starts_at = StockholmDateTimeField(label=_("Starts (Stockholm time)"))
    ends_at = StockholmDateTimeField(label=_("Ends (Stockholm time)"))

    class Meta:
        model = LabSlot
        fields = ["starts_at", "ends_at", "place", "video_url", "capacity", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The time must end after it starts."))
        if (
            not cleaned.get("place")
            and not cleaned.get("video_url")
            and not self.has_error("video_url")
        ):
            self.add_error(None, _("Give a place, a video link or both."))
        return cleaned

    def _post_clean(self):
        # The service validates the model (and its constraints) as part of its transaction.
        pass
