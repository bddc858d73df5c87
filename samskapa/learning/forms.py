from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from samskapa.challenges.models import Tag
from samskapa.core.forms import PlainSelect
from samskapa.learning import booklet
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


def _number(text) -> int:
    """`text` as a whole number, 0 when it is not one (only the ASCII digits 0–9)."""
    text = str(text)
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else 0


class LessonIdsField(forms.Field):
    """The ids of lessons, from a checkbox (or hidden input) repeated once per lesson."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"invalid": _("The choice of lessons is not valid: choose again.")}

    def to_python(self, value):
        ids = []
        for item in value or ():
            number = _number(item)
            if not 0 < number < 2**31:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            ids.append(number)
        return ids


class BookletForm(forms.Form):
    """The lessons chosen for a PDF booklet (checkboxes on the list; "all on this page" adds the
    page's lessons without JavaScript) and the booklet's optional title.

    Bound to the booklet's request it checks the choice; unbound (`for_list`) it shows a list
    page again as the person left it after a refused choice: the boxes ticked, the title kept."""

    lesson = LessonIdsField(required=False)
    page_lessons = LessonIdsField(required=False)
    all_on_page = forms.BooleanField(label=_("Choose all lessons on this page"), required=False)
    title = forms.CharField(
        label=_("Title of the booklet (optional)"),
        required=False,
        max_length=booklet.MAX_TITLE_LENGTH,
    )

    # Everything the booklet's request holds besides a list page's search and filters.
    KEYS = ("lesson", "page_lessons", "all_on_page", "title")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "booklet-%s")
        super().__init__(*args, **kwargs)
        self.chosen: set[int] = set()

    @classmethod
    def for_list(cls, query) -> "BookletForm":
        """The form of a list page whose query may hold a refused booklet's choice."""
        title = query.get("title", "").replace("\x00", "")[: booklet.MAX_TITLE_LENGTH]
        form = cls(initial={"title": title})
        form.chosen = {_number(v) for v in query.getlist("lesson")[: booklet.MAX_LESSONS]}
        return form

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        ids = list(data.get("lesson") or [])
        if data.get("all_on_page"):
            ids = [*(data.get("page_lessons") or []), *ids]
        try:
            data["ids"] = booklet.check_choice(ids)
        except forms.ValidationError as error:
            raise forms.ValidationError(error.messages, code=error.code) from None
        return data

    def messages(self) -> list[str]:
        """The errors as sentences to show on the list page (a field's with its label)."""
        found = list(self.non_field_errors())
        for name in ("lesson", "page_lessons"):
            found += self.errors.get(name, [])
        found += [f"{self.fields['title'].label}: {e}" for e in self.errors.get("title", [])]
        return found

    def back_to_list(self, url: str, keep=()) -> str:
        """`url` with the list page's own parameters (`keep`: the search, the filters, the page)
        and, when there are not too many, the ticked lessons and the title."""
        query = QueryDict(mutable=True)
        for key in keep:
            query.setlist(key, self.data.getlist(key)[:20])
        ticked = self.data.getlist("lesson")
        if len(ticked) <= booklet.MAX_LESSONS:
            query.setlist("lesson", [str(n) for n in map(_number, ticked) if n])
        if self.data.get("title"):
            query["title"] = self.data["title"].replace("\x00", "")[: booklet.MAX_TITLE_LENGTH]
        return f"{url}?{query.urlencode()}" if query else url
