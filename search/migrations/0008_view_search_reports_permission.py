"""The search reports are asked for by permission (search.view_search_reports),
granted to Editors and Steering, instead of by the groups' names."""

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
    _grant(apps, "search", "view_search_reports", ["Editors", "Steering"])


def backward(apps, schema_editor):
    _grant(apps, "search", "view_search_reports", ["Editors", "Steering"], add=False)


class Migration(migrations.Migration):
    dependencies = [
        ("hub", "0003_roles"),
        ("search", "0007_popular_search_choices"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="searchdailystat",
            options={
                "ordering": ["-date", "-searches"],
                "permissions": [("view_search_reports", "Can see what people search for")],
            },
        ),
        migrations.RunPython(forward, backward),
    ]
