"""Editors manage the search synonym list and the promoted search results."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = [
    ("search", "synonym", ["add", "change", "delete", "view"]),
    ("wagtailsearchpromotions", "searchpromotion", ["add", "change", "delete", "view"]),
]


def grant(apps, schema_editor):
    # Permissions are created after all migrations; make sure they exist now.
    for label in ("search", "wagtailsearchpromotions"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    for app_label, model, actions in PERMISSIONS:
        editors.permissions.add(
            *Permission.objects.filter(
                content_type__app_label=app_label,
                codename__in=[f"{action}_{model}" for action in actions],
            )
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for editors in Group.objects.filter(name="Editors"):
        for app_label, model, actions in PERMISSIONS:
            editors.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label=app_label,
                    codename__in=[f"{action}_{model}" for action in actions],
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0004_trigram_vocabulary_index"),
        ("hub", "0003_roles"),
        ("wagtailsearchpromotions", "0008_query_verbose_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
