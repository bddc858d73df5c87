"""The audit trail: services call `record` inside their transaction."""

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from samskapa.audit.models import AuditEntry

_encoder = DjangoJSONEncoder()
_SKIPPED = {"id", "created_at", "updated_at", "password", "last_login"}


def _readable(obj: models.Model, field: models.Field):
    if field.is_relation:
        related = getattr(obj, field.name)
        return str(related) if related is not None else None
    if field.choices:
        return getattr(obj, f"get_{field.name}_display")()
    value = field.value_from_object(obj)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return _encoder.default(value)


def snapshot(obj: models.Model, m2m: tuple[str, ...] = ()) -> dict:
    """The fields of `obj` as readable, JSON-safe values, for comparing before and after."""
    values = {
        field.name: _readable(obj, field)
        for field in obj._meta.concrete_fields
        if field.name not in _SKIPPED
    }
    for name in m2m:
        values[name] = sorted(str(related) for related in getattr(obj, name).all())
    return values


def diff(before: dict, after: dict) -> dict:
    return {
        name: [before.get(name), after.get(name)]
        for name in after.keys() | before.keys()
        if before.get(name) != after.get(name)
    }


def record(*, actor, action: str, obj: models.Model, changes=None, programme=None) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=getattr(actor, "email", "") or "",
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        programme=programme,
        changes=changes or {},
    )


def history_of(obj: models.Model):
    """Entries about one record, newest first."""
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
    ).select_related("actor", "content_type")
