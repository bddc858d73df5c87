from django import forms
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from samskapa.accounts.models import User
from samskapa.calls import uploads
from samskapa.calls.models import (
    STOCKHOLM,
    Application,
    Call,
    Criterion,
    Decision,
    Question,
    QuestionKind,
)
from samskapa.challenges.models import ChallengeStatus
from samskapa.organisations.models import Organisation, OrganisationKind


class StockholmDateTimeField(forms.DateTimeField):
    """A date and time entered, and shown, in Swedish time (Europe/Stockholm)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if hasattr(value, "tzinfo") and value.tzinfo is not None:
            value = timezone.localtime(value, STOCKHOLM).replace(tzinfo=None)
        return super().prepare_value(value)

    def to_python(self, value):
        result = super().to_python(value)
        if result is not None:
            result = result.replace(tzinfo=None).replace(tzinfo=STOCKHOLM)
        return result


class CallForm(forms.ModelForm):
    opens_at = StockholmDateTimeField(label=_("Opens (Stockholm time)"))
    closes_at = StockholmDateTimeField(label=_("Closes, the deadline (Stockholm time)"))

    class Meta:
        model = Call
        fields = ["title", "eligibility", "challenges", "opens_at", "closes_at", "blind_review"]
        widgets = {
            "eligibility": forms.Textarea(attrs={"rows": 4}),
            "challenges": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["challenges"].queryset = programme.challenges.filter(
            status=ChallengeStatus.PUBLISHED
        ).order_by("title")
        self.fields["challenges"].help_text = _("Only published challenges can be in a call.")

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("The call must close after it opens."))
        return cleaned


class QuestionForm(forms.ModelForm):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    allowed_types = forms.MultipleChoiceField(
        label=_("Allowed file types"),
        choices=uploads.FILE_KIND_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "For a file upload: what applicants may send. The content of each file is checked, "
            "not only its name."
        ),
    )

    class Meta:
        model = Question
        fields = [
            "label",
            "kind",
            "help_text",
            "required",
            "max_length",
            "choices",
            "allowed_types",
            "max_size_mb",
            "before_declaring",
        ]
        widgets = {"choices": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ceiling = uploads.ceiling_mb()
        self.fields["max_size_mb"].widget.attrs.update({"min": 1, "max": ceiling})
        self.fields["max_size_mb"].help_text = _(
            "For a file upload: from 1 to %(max)s MB; empty means %(default)s MB."
        ) % {"max": ceiling, "default": uploads.default_max_mb()}

    def clean(self):
        cleaned = super().clean()
        options = [line for line in (cleaned.get("choices") or "").splitlines() if line.strip()]
        if cleaned.get("kind") == QuestionKind.CHOICE and len(options) < 2:
            self.add_error("choices", _("Give at least two options, one per line."))
        return cleaned


QuestionFormSet = forms.formset_factory(QuestionForm, extra=2, can_delete=True, can_order=True)


def question_formset(call: Call, data=None) -> forms.BaseFormSet:
    initial = [
        {"id": q.pk, **{name: getattr(q, name) for name in QuestionForm.Meta.fields}}
        for q in call.questions.all()
    ]
    return QuestionFormSet(data, initial=initial, prefix="questions")


def questions_from(formset) -> list[dict]:
    """The questions as set_questions wants them: in order, without the deleted or empty."""
    return [
        {name: form.cleaned_data.get(name) for name in ("id", *QuestionForm.Meta.fields)}
        for form in formset.ordered_forms
        if form.cleaned_data
    ]


class ApplicationForm(forms.ModelForm):
    """The profile the method needs, then one field per question of the call.

    Required questions are marked as such, but only enforced when the applicant submits: a
    draft may be incomplete. (The service checks them again on submission.)"""

    use_required_attribute = False  # the browser must not block saving an incomplete draft
    label_suffix = ""  # the labels are the call's own questions, as the operator wrote them

    class Meta:
        model = Application
        fields = ["innovator_type", "organisation", "legal_form", "org_number", "gender"]
        help_texts = {
            "gender": _(
                "Optional. Used only in anonymous statistics on the gender balance of the "
                "selection; nobody else sees it next to your name."
            ),
            "organisation": _("If you apply for an organisation in the register."),
        }

    def __init__(self, *args, call: Call, submitting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.call = call
        enforce = submitting or not self.is_bound
        self.questions = list(call.questions.all())
        stored = {}
        if self.instance.pk:
            stored = {f.question_id: f for f in self.instance.files.all()}
        self.fields["organisation"].queryset = Organisation.objects.filter(
            kind=OrganisationKind.INNOVATOR
        ).order_by("name")
        answers = self.instance.answers or {}
        ranking = list(self.instance.ranking or [])
        challenges = [(c.pk, c.title) for c in call.challenges.order_by("title")]
        for question in self.questions:
            if question.kind == QuestionKind.RANKING:
                for place in range(1, len(challenges) + 1):
                    name = question.field_name if place == 1 else f"{question.field_name}_{place}"
                    self.fields[name] = forms.TypedChoiceField(
                        label=_("%(question)s: choice %(place)s")
                        % {"question": question.label, "place": place},
                        choices=[("", "—"), *challenges],
                        coerce=int,
                        empty_value=None,
                        required=place == 1 and question.required and enforce,
                        error_messages={"required": _("Rank at least one challenge.")},
                        help_text=question.help_text if place == 1 else "",
                        initial=ranking[place - 1] if place <= len(ranking) else None,
                    )
                continue
            if question.kind == QuestionKind.FILE:
                self._add_file_fields(question, stored.get(question.pk), enforce)
                continue
            self.fields[question.field_name] = self._field(question)
            self.fields[question.field_name].initial = answers.get(str(question.pk))
            self.fields[question.field_name].required = question.required and enforce
        self.fields["innovator_type"].required = enforce
        self.order_fields([])

    def _add_file_fields(self, question: Question, stored, enforce: bool) -> None:
        """An upload field (its help tells the types, the size limit and the file already
        stored) and, when a file is stored, a box to remove it."""
        hints = [question.help_text] if question.help_text else []
        hints.append(
            _("Allowed: %(types)s; at most %(max)s MB.")
            % {"types": question.allowed_types_label, "max": question.size_limit_mb}
        )
        if self.call.blind_review:
            hints.append(
                _(
                    "This call has blind review: reviewers do not see your name, but they do "
                    "see your files. Leave your name and your organisation's out of them, also "
                    "out of the document's properties (author)."
                )
            )
        help_text = " ".join(str(hint) for hint in hints)
        if stored is not None:
            url = reverse("calls:file", args=[stored.application_id, stored.pk])
            help_text = format_html(
                '{} <span class="stored-file">{} <a href="{}">{}</a> ({}). {}</span>',
                help_text,
                _("Uploaded:"),
                url,
                stored.original_name,
                filesizeformat(stored.size),
                _("Choose a new file to replace it."),
            )
        self.fields[question.field_name] = forms.FileField(
            label=question.label,
            help_text=help_text,
            # A stored file answers the question; the service checks again on submission.
            required=question.required and enforce and stored is None,
            error_messages={"required": _("Upload a file for this question.")},
            allow_empty_file=True,  # the service refuses it, naming the file
            widget=forms.FileInput(
                attrs={"accept": uploads.accept_attribute(question.allowed_types)}
            ),
        )
        if stored is not None:
            self.fields[f"{question.field_name}_remove"] = forms.BooleanField(
                label=_("Remove the uploaded file “%(name)s”") % {"name": stored.original_name},
                required=False,
            )

    def files_to_store(self) -> tuple[dict, list]:
        """({question id: uploaded file}, [question ids whose stored file is removed])."""
        uploaded, removed = {}, []
        for question in self.questions:
            if question.kind != QuestionKind.FILE:
                continue
            upload = self.cleaned_data.get(question.field_name)
            if upload:
                uploaded[question.pk] = upload
            elif self.cleaned_data.get(f"{question.field_name}_remove"):
                removed.append(question.pk)
        return uploaded, removed

    def _field(self, question: Question) -> forms.Field:
        common = {
            "label": question.label,
            "help_text": question.help_text,
            "error_messages": {"required": _("Answer this question.")},
        }
        if question.kind == QuestionKind.CHOICE:
            return forms.ChoiceField(
                choices=[("", "—"), *((o, o) for o in question.options)], **common
            )
        if question.kind == QuestionKind.NUMBER:
            return forms.DecimalField(**common)
        if question.kind == QuestionKind.LONG_TEXT:
            return forms.CharField(
                widget=forms.Textarea(attrs={"rows": 5}), max_length=question.max_length, **common
            )
        return forms.CharField(max_length=question.max_length or 300, **common)

    def answers(self) -> tuple[dict, list]:
        answers, ranking = {}, []
        for question in self.questions:
            if question.kind == QuestionKind.FILE:
                continue
            if question.kind == QuestionKind.RANKING:
                prefix = question.field_name
                ranking = [
                    value
                    for name, value in self.cleaned_data.items()
                    if (name == prefix or name.startswith(prefix + "_")) and value is not None
                ]
                continue
            value = self.cleaned_data.get(question.field_name)
            if value is not None and value != "":
                answers[str(question.pk)] = str(value) if question.kind == "number" else value
        return answers, ranking

    def profile(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self._meta.fields}


# --- The review panel ---


class CriterionForm(forms.ModelForm):
    class Meta:
        model = Criterion
        fields = ["name", "description", "weight", "scale_max"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class ReviewerForm(forms.Form):
    reviewer = forms.ModelChoiceField(label=_("Reviewer"), queryset=User.objects.none())

    def __init__(self, *args, call: Call, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = (
            User.objects.filter(memberships__programme=call.programme, memberships__role="reviewer")
            .exclude(reviewer_assignments__call=call)
            .distinct()
            .order_by("full_name", "email")
        )
        self.fields["reviewer"].help_text = _("The programme's members with the role reviewer.")


class SpreadForm(forms.Form):
    per_application = forms.IntegerField(label=_("Reviewers per application"), min_value=1)
    seed = forms.IntegerField(
        label=_("Seed"),
        required=False,
        min_value=0,
        max_value=2**31 - 1,
        help_text=_("Leave empty for a new random seed; the same seed gives the same spread."),
    )


class ConflictForm(forms.Form):
    conflicted = forms.TypedChoiceField(
        label=_("Do you have a conflict of interest with this application?"),
        choices=[
            ("no", _("No, I have no conflict of interest")),
            ("yes", _("Yes, I have a conflict of interest")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional: for example how you know the applicant."),
    )


class ScoreForm(forms.Form):
    """One score (1..top score) and an optional comment per criterion of the call."""

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"c_{criterion.pk}"] = forms.IntegerField(
                label=_("%(criterion)s (1–%(max)s)")
                % {"criterion": criterion.name, "max": criterion.scale_max},
                required=False,
                help_text=criterion.description,
                widget=forms.NumberInput(attrs={"min": 1, "max": criterion.scale_max}),
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Comment on %(criterion)s") % {"criterion": criterion.name},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def scores(self) -> dict:
        return {
            criterion.pk: {
                "value": self.cleaned_data.get(f"c_{criterion.pk}"),
                "comment": self.cleaned_data.get(f"comment_{criterion.pk}", ""),
            }
            for criterion in self.criteria
        }


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect
    )
    decision_rationale = forms.CharField(
        label=_("Rationale"), widget=forms.Textarea(attrs={"rows": 4})
    )
