from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's validation errors on the form: on the field where there is one."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class PlainSelect(forms.Select):
    """A <select> whose options are written in Python rather than one template each.

    Django renders every option through the template engine (about 0.2 ms an option here);
    the portal's filters offer a couple of hundred municipalities and departments on the
    national dataset, which made rendering them most of the page's time (docs/performance.md).
    Same markup and escaping as forms.Select for flat choices; no option groups."""

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        chosen = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option, SELECTED if str(option) in chosen else "", label)
                for option, label in self.choices
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final_attrs), options)


SELECTED = mark_safe(" selected")
