from django import forms
from django.utils.translation import gettext_lazy as _

from samskapa.calls.forms import StockholmDateTimeField
from samskapa.programmes.models import PhaseKind
from samskapa.workshops.models import Workshop


class PhaseFilterForm(forms.Form):
    phase = forms.TypedChoiceField(
        label=_("When in the process"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phase"].choices = [("", _("All phases")), *PhaseKind.choices]

    def filter(self, tools):
        phase = getattr(self, "cleaned_data", {}).get("phase")
        return tools.in_phase(phase) if phase else tools


class ToolForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    purpose = forms.CharField(label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 3}))
    phases = forms.TypedMultipleChoiceField(
        label=_("When in the process"),
        choices=PhaseKind.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    how_to = forms.CharField(
        label=_("How to run it"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    duration = forms.CharField(label=_("Duration"), required=False, max_length=100)
    materials = forms.CharField(
        label=_("Materials"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    template = forms.FileField(
        label=_("Template file"),
        required=False,
        help_text=_(
            "Optional: a PDF, Word, OpenDocument or Excel file. Without one, a worksheet is "
            "generated as a PDF from the texts above."
        ),
    )


class WorkshopForm(forms.ModelForm):
    starts_at = StockholmDateTimeField(label=_("Starts (Stockholm time)"))
    ends_at = StockholmDateTimeField(label=_("Ends (Stockholm time)"))
    tools = forms.TypedMultipleChoiceField(
        label=_("Tools used"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    invited = forms.TypedMultipleChoiceField(
        label=_("Invited"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("They get the invitation by e-mail with a calendar file."),
    )

    class Meta:
        model = Workshop
        fields = ["title", "starts_at", "ends_at", "place", "video_url", "agenda"]
        widgets = {"agenda": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, tools=(), members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].help_text = _("A place, a video link or both (hybrid).")
        self.fields["tools"].choices = [(tool.pk, tool.title) for tool in tools]
        self.fields["invited"].choices = [(user.pk, str(user)) for user in members]
        if self.instance.pk:
            self.initial["tools"] = [tool.pk for tool in self.instance.tools.all()]
            self.initial["invited"] = list(
                self.instance.invitations.values_list("person_id", flat=True)
            )

    def _post_clean(self):
        # The service validates the workshop (time, place or link) in its transaction.
        pass

    def service_fields(self) -> dict:
        return dict(self.cleaned_data)


class AttendanceForm(forms.Form):
    attended = forms.TypedMultipleChoiceField(
        label=_("Attended"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args, invitations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [(inv.person_id, str(inv.person)) for inv in invitations]


class FollowUpForm(forms.Form):
    text = forms.CharField(label=_("Follow-up"), max_length=500)
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    due_on = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "–"), *((u.pk, str(u)) for u in members)]
