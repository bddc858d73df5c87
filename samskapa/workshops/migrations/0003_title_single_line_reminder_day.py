"""A workshop's title is one line; the reminder is kept per Stockholm calendar day of the start
(the start time it was sent for becomes that day)."""

from django.db import migrations, models
from django.utils import timezone

import samskapa.workshops.models


def to_day(apps, schema_editor):
    from samskapa.calls.models import STOCKHOLM

    invitation_model = apps.get_model("workshops", "WorkshopInvitation")
    for invitation in invitation_model.objects.exclude(reminded_for=None).only("reminded_for"):
        invitation.reminded_for_day = timezone.localtime(invitation.reminded_for, STOCKHOLM).date()
        invitation.save(update_fields=["reminded_for_day"])


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0002_starter_tools"),
    ]

    operations = [
        migrations.AddField(
            model_name="workshopinvitation",
            name="reminded_for_day",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(to_day, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="workshopinvitation",
            name="reminded_for",
        ),
        migrations.AlterField(
            model_name="workshop",
            name="title",
            field=models.CharField(
                max_length=200,
                validators=[samskapa.workshops.models.single_line],
                verbose_name="title",
            ),
        ),
    ]
