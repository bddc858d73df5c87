from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from samskapa.impact.models import Indicator
from samskapa.impact.privacy import refuse_identity_numbers
from samskapa.surveys import services
from samskapa.surveys.models import Question, QuestionKind, Survey


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["title_sv", "title_en", "intro_sv", "intro_en", "round", "period"]
        widgets = {
            "intro_sv": forms.Textarea(attrs={"rows": 3}),
            "intro_en": forms.Textarea(attrs={"rows": 3}),
            "period": forms.DateInput(attrs={"type": "date"}),
        }

    def service_fields(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class QuestionForm(forms.ModelForm):
    options_text = forms.CharField(
        label=_("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Choice questions: one option a line, the Swedish text, then optionally "
            "“|” and the English text."
        ),
    )
    counted_text = forms.CharField(
        label=_("Options counted towards the indicator"),
        required=False,
        help_text=_(
            "Choice questions feeding an indicator: the numbers of the options (1 for the "
            "first) whose share is the indicator's value, e.g. “1, 2”."
        ),
    )

    class Meta:
        model = Question
        fields = [
            "kind",
            "text_sv",
            "text_en",
            "required",
            "scale_max",
            "low_label_sv",
            "low_label_en",
            "high_label_sv",
            "high_label_en",
            "min_value",
            "max_value",
            "indicator",
        ]

    def __init__(self, *args, survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = Indicator.objects.filter(
            environment_id=survey.environment_id
        ).order_by("name", "pk")
        self.fields["indicator"].help_text = _(
            "Scale and number: the mean of the answers; choice: the share (%) choosing the "
            "counted options — per period, with the number of respondents."
        )
        if self.instance.pk:
            self.fields["options_text"].initial = "\n".join(
                f"{o['sv']} | {o['en']}" if o.get("en") else o["sv"] for o in self.instance.options
            )
            self.fields["counted_text"].initial = ", ".join(
                str(i + 1) for i in self.instance.counted_options
            )

    def clean_options_text(self):
        options = []
        for line in self.cleaned_data["options_text"].splitlines():
            if not line.strip():
                continue
            sv, _bar, en = line.partition("|")
            options.append({"sv": sv.strip(), "en": en.strip()})
        return options

    def clean_counted_text(self):
        raw = self.cleaned_data["counted_text"].replace(";", ",")
        numbers = []
        for part in raw.split(","):
            if not part.strip():
                continue
            try:
                numbers.append(int(part) - 1)
            except ValueError:
                raise ValidationError(_("Give the options' numbers, e.g. “1, 2”.")) from None
        return numbers

    def service_fields(self):
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields}
        fields["options"] = self.cleaned_data["options_text"]
        fields["counted_options"] = self.cleaned_data["counted_text"]
        return fields


class CodesForm(forms.Form):
    count = forms.IntegerField(label=_("Number of codes"), min_value=1, max_value=500, initial=20)


class ResponseForm(forms.Form):
    """The respondent's form, built from the survey's questions in the reader's language:
    scales and choices as radio buttons in a fieldset with a legend."""

    def __init__(self, *args, survey, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            name = f"q_{question.pk}"
            required = question.required
            if question.kind == QuestionKind.SCALE:
                top = question.scale_max or 5
                field = forms.TypedChoiceField(
                    choices=[(str(i), str(i)) for i in range(1, top + 1)],
                    coerce=int,
                    widget=forms.RadioSelect,
                    required=required,
                    empty_value=None,
                )
                low, high = question.low_label, question.high_label
                if low or high:
                    field.help_text = gettext("1 = %(low)s, %(top)s = %(high)s") % {
                        "low": low or "–",
                        "top": top,
                        "high": high or "–",
                    }
            elif question.kind == QuestionKind.CHOICE:
                field = forms.TypedChoiceField(
                    choices=[(str(i), label) for i, label in enumerate(question.option_labels())],
                    coerce=int,
                    widget=forms.RadioSelect,
                    required=required,
                    empty_value=None,
                )
            elif question.kind == QuestionKind.NUMBER:
                field = forms.FloatField(
                    required=required,
                    min_value=question.min_value,
                    max_value=question.max_value,
                    localize=True,
                    widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                )
            else:
                field = forms.CharField(
                    required=required,
                    max_length=5000,
                    widget=forms.Textarea(attrs={"rows": 4}),
                    help_text=gettext(
                        "Do not write names or personal identity numbers: answers are anonymous."
                    ),
                )
            field.label = question.text
            field.question = question
            self.fields[name] = field
        if survey.codes.exists():
            self.fields["code"] = forms.CharField(
                label=_("Your code (if you were given one)"),
                required=False,
                max_length=40,
                help_text=_(
                    "A code like K7P-3QX lets your answers before and after be compared, "
                    "without your name. Never write your personal identity number here."
                ),
            )

    def clean_code(self):
        code = self.cleaned_data.get("code", "")
        refuse_identity_numbers(code, where=gettext("The code"))
        return code

    def clean(self):
        data = super().clean()
        for name, field in self.fields.items():
            question = getattr(field, "question", None)
            if question is not None and question.kind == QuestionKind.TEXT and data.get(name):
                try:
                    refuse_identity_numbers(data[name], where=gettext("Your answer"))
                except ValidationError as error:
                    self.add_error(name, error)
            elif question is not None and question.kind == QuestionKind.NUMBER:
                # The text as typed: a personnummer is a valid number to a FloatField.
                raw = self.data.get(self.add_prefix(name))
                try:
                    if raw:
                        services.refuse_identity_number_in_number(raw)
                    if data.get(name) is not None:
                        services.refuse_identity_number_in_number(data[name])
                except ValidationError as error:
                    self.errors.pop(name, None)
                    data.pop(name, None)
                    self.add_error(name, error)
        return data

    def answers(self) -> dict:
        return {
            field.question.pk: self.cleaned_data.get(name)
            for name, field in self.fields.items()
            if getattr(field, "question", None) is not None
        }
