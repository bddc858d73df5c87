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


@register.filter
def reviews_anywhere(user) -> bool:
    """Whether the person is a reviewer in some programme (the main navigation then links to
    their reviews). Reads the roles the permission module caches for the request."""
    from samskapa.accounts.models import Role
    from samskapa.accounts.permissions import roles_by_programme

    if not user.is_authenticated:
        return False
    return any(Role.REVIEWER in roles for roles in roles_by_programme(user).values())
