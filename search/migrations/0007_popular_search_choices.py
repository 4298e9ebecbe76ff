"""Editors pin or hide the popular searches the search page suggests to
every visitor."""

from django.contrib.auth.management import create_permissions
from django.db import migrations, models

ACTIONS = ["add", "change", "delete", "view"]


def grant(apps, schema_editor):
    # Permissions are created after all migrations; make sure they exist now.
    app_config = apps.get_app_config("search")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="search", codename__in=[f"{a}_popularsearch" for a in ACTIONS]
        )
    )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name="Editors"):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="search", codename__in=[f"{a}_popularsearch" for a in ACTIONS]
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0006_searches_with_few_results"),
        ("hub", "0003_roles"),
    ]

    operations = [
        migrations.CreateModel(
            name="PopularSearch",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "query",
                    models.CharField(
                        help_text="The words as people type them, e.g. “peer support”. Letters and numbers only.",
                        max_length=60,
                        unique=True,
                        verbose_name="search",
                    ),
                ),
                (
                    "choice",
                    models.CharField(
                        choices=[("pin", "Always suggest it (shown first)"), ("hide", "Never suggest it")],
                        default="pin",
                        help_text="Pinned searches come first, while they find public pages; hidden ones are never shown.",
                        max_length=4,
                    ),
                ),
            ],
            options={
                "verbose_name": "popular search",
                "verbose_name_plural": "popular searches",
                "ordering": ["choice", "query"],
            },
        ),
        migrations.RunPython(grant, revoke),
    ]
