"""The starter set of the toolbox: one row per tool of starter.py (its texts are translated
from there at each reading; the rows only name the key and the phases)."""

from django.db import migrations

STARTER = [
    ("needs_mapping", "1"),
    ("stakeholder_map", "12"),
    ("social_canvas", "23"),
    ("pitch_training", "134"),
    ("pilot_plan", "23"),
    ("effect_chain", "234"),
    ("user_journey", "12"),
    ("retrospective", "1234"),
]


def seed(apps, schema_editor):
    Tool = apps.get_model("workshops", "Tool")
    for key, phases in STARTER:
        Tool.objects.update_or_create(key=key, defaults={"phases": phases, "programme": None})


def unseed(apps, schema_editor):
    apps.get_model("workshops", "Tool").objects.filter(programme__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("workshops", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
