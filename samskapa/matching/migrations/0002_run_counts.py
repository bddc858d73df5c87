"""A run's counts in columns (placed, candidates), so that the lists of runs need not read each
run's input and output; filled for the runs stored before."""

from django.db import migrations, models


def fill_counts(apps, schema_editor):
    MatchingRun = apps.get_model("matching", "MatchingRun")
    runs = MatchingRun.objects.only("pk", "input", "output").order_by("pk")
    batch = []
    for run in runs.iterator(chunk_size=100):
        run.placed_count = len((run.output or {}).get("assignments", []))
        run.candidate_count = len((run.input or {}).get("applicants", []))
        batch.append(run)
        if len(batch) == 100:
            MatchingRun.objects.bulk_update(batch, ["placed_count", "candidate_count"])
            batch = []
    if batch:
        MatchingRun.objects.bulk_update(batch, ["placed_count", "candidate_count"])


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0001_runs_and_matches"),
    ]

    operations = [
        migrations.AddField(
            model_name="matchingrun",
            name="placed_count",
            field=models.PositiveIntegerField(default=0, verbose_name="placed"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="matchingrun",
            name="candidate_count",
            field=models.PositiveIntegerField(default=0, verbose_name="number of candidates"),
            preserve_default=False,
        ),
        migrations.RunPython(fill_counts, migrations.RunPython.noop),
    ]
