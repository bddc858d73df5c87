"""The Operators group: people who create programmes and keep the organisation register.

Programme-scoped rights come from memberships; these platform-wide ones from this group
(see accounts/permissions.py).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

OPERATORS = "Operators"
PERMISSIONS = [
    ("programmes", "add_programme"),
    ("organisations", "add_organisation"),
    ("organisations", "change_organisation"),
]


def create_group(apps, schema_editor):
    for label in ("programmes", "organisations"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True  # create_permissions skips apps it thinks have no models
        create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=OPERATORS)
    for app_label, codename in PERMISSIONS:
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("programmes", "0001_initial"),
        ("organisations", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_group, migrations.RunPython.noop)]
