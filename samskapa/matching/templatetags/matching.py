from django import template

from samskapa.matching import explain

register = template.Library()


@register.filter
def figure(value):
    """A score or total with at most two decimals, in the reader's notation."""
    return explain.number(value)


@register.filter
def share(value):
    """A share (0–1) as a percentage."""
    return explain.percent(value)
