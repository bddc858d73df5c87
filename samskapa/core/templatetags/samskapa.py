from django import template

register = template.Library()


@register.filter
def audit_value(value):
    """A value in the audit trail as a person reads it: lists joined, nothing shown as a dash."""
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return value
