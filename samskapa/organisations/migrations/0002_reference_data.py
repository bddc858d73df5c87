"""Loads Sweden's 21 counties and 290 municipalities (SCB codes) from data/*.csv."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def load(apps, schema_editor):
    County = apps.get_model("organisations", "County")
    Municipality = apps.get_model("organisations", "Municipality")
    with open(DATA / "counties.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            County.objects.update_or_create(code=row["code"], defaults={"name": row["name"]})
    with open(DATA / "municipalities.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            Municipality.objects.update_or_create(
                code=row["code"], defaults={"name": row["name"], "county_id": row["county_code"]}
            )


class Migration(migrations.Migration):
    dependencies = [("organisations", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
