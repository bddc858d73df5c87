"""State changes to organisations. Each is one transaction with one audit entry."""

from django.db import transaction

from samskapa.audit.services import diff, record, snapshot
from samskapa.organisations.models import Organisation


@transaction.atomic
def create_organisation(*, by, **fields) -> Organisation:
    organisation = Organisation(**fields)
    organisation.full_clean()
    organisation.save()
    record(
        actor=by,
        action="organisations.organisation.created",
        obj=organisation,
        changes=diff({}, snapshot(organisation)),
    )
    return organisation


@transaction.atomic
def update_organisation(organisation: Organisation, *, by, **fields) -> Organisation:
    before = snapshot(Organisation.objects.get(pk=organisation.pk))
    for name, value in fields.items():
        setattr(organisation, name, value)
    organisation.full_clean()
    organisation.save()
    changes = diff(before, snapshot(organisation))
    if changes:
        record(
            actor=by, action="organisations.organisation.updated", obj=organisation, changes=changes
        )
    return organisation
