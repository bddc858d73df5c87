from django import forms
from django.utils.translation import gettext_lazy as _

from samskapa.canvas.blocks import BLOCK_KEYS, BLOCK_MAX_LENGTH, BLOCKS
from samskapa.canvas.services import COMMENT_MAX_LENGTH, NOTE_MAX_LENGTH


class CanvasForm(forms.Form):
    """All blocks of the canvas, the version the edit is based on, and a note for the version."""

    base_version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note for this version"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        help_text=_(
            "Optional: what changed and why, e.g. “After the test with the home-care team”."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for block in BLOCKS:
            self.fields[block.key] = forms.CharField(
                label=block.label,
                required=False,
                max_length=BLOCK_MAX_LENGTH,
                help_text=block.question,
                widget=forms.Textarea(attrs={"rows": 5}),
            )

    def block_fields(self):
        return [self[key] for key in BLOCK_KEYS]

    def blocks(self) -> dict:
        return {key: self.cleaned_data.get(key, "") for key in BLOCK_KEYS}


class CommentForm(forms.Form):
    block = forms.ChoiceField(label=_("Block"), choices=[(b.key, b.label) for b in BLOCKS])
    text = forms.CharField(
        label=_("Comment"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CompareForm(forms.Form):
    first = forms.TypedChoiceField(label=_("First version"), coerce=int)
    second = forms.TypedChoiceField(label=_("Second version"), coerce=int)

    def __init__(self, *args, numbers=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(n, _("Version %(number)s") % {"number": n}) for n in numbers]
        self.fields["first"].choices = choices
        self.fields["second"].choices = choices
