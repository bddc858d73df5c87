from django import forms
from django.utils.translation import gettext_lazy as _

from samskapa.challenges.models import Tag
from samskapa.core.forms import PlainSelect
from samskapa.learning.models import Lesson
from samskapa.learning.search import search_lessons
from samskapa.programmes.models import PhaseKind


class LessonForm(forms.ModelForm):
    themes = forms.CharField(
        label=_("Themes"),
        required=False,
        max_length=500,
        help_text=_("Separate themes with commas, e.g. recruitment, co-creation, data."),
    )

    class Meta:
        model = Lesson
        fields = [
            "title",
            "what_happened",
            "what_we_learned",
            "what_we_would_do_differently",
            "phase",
            "themes",
            "concerns",
            "visibility",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 4})
            for name in ("what_happened", "what_we_learned", "what_we_would_do_differently")
        } | {"visibility": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phase"].help_text = _("The phase of the method the lesson is from, if any.")
        self.fields["visibility"].help_text = _(
            "Private: only you. The programme: its members. Public: everyone, in the lessons "
            "library, once an operator has approved it."
        )
        if self.instance.pk:
            self.initial["themes"] = ", ".join(tag.name for tag in self.instance.themes.all())

    def clean_themes(self):
        return [name.strip() for name in self.cleaned_data["themes"].split(",") if name.strip()]

    def service_fields(self) -> dict:
        return dict(self.cleaned_data)


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Reason (required when not approving; the author reads it)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class LibraryFilterForm(forms.Form):
    """Search and filters over the public lessons; the themes offered are those they have."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    phase = forms.TypedChoiceField(label=_("Phase"), required=False, coerce=int, empty_value=None)
    theme = forms.ModelChoiceField(
        label=_("Theme"), queryset=Tag.objects.none(), required=False, widget=PlainSelect
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        themes = Tag.objects.filter(pk__in=Lesson.objects.public().values("themes")).order_by(
            "name"
        )
        self.fields["theme"].queryset = themes
        self.fields["theme"].choices = [("", _("All")), *((t.pk, t.name) for t in themes)]
        self.fields["phase"].choices = [("", _("All")), *PhaseKind.choices]

    def filter(self, lessons):
        data = getattr(self, "cleaned_data", {})
        if data.get("phase"):
            lessons = lessons.filter(phase=data["phase"])
        if data.get("theme"):
            lessons = lessons.filter(themes=data["theme"])
        return search_lessons(lessons, data.get("q", ""))

    @property
    def is_filtered(self) -> bool:
        return any(getattr(self, "cleaned_data", {}).values())
