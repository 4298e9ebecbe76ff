"""The steering reports are asked for by permission (metrics.view_dashboard),
granted to Steering, instead of by the group's name."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def _grant(apps, app_label, codename, group_names, add=True):
    app_config = apps.get_app_config(app_label)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
    for group in Group.objects.filter(name__in=group_names):
        (group.permissions.add if add else group.permissions.remove)(permission)


def forward(apps, schema_editor):
    _grant(apps, "metrics", "view_dashboard", ["Steering"])


def backward(apps, schema_editor):
    _grant(apps, "metrics", "view_dashboard", ["Steering"], add=False)


class Migration(migrations.Migration):
    dependencies = [
        ("hub", "0003_roles"),
        ("metrics", "0002_sign_in_days"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="pageviewdaily",
            options={
                "ordering": ["-date", "-views"],
                "permissions": [
                    ("view_dashboard", "Can see the steering reports: participation, impact and gaps")
                ],
                "verbose_name": "page views on a day",
                "verbose_name_plural": "page views per day",
            },
        ),
        migrations.RunPython(forward, backward),
    ]
