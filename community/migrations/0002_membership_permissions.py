"""Who decides on membership in the admin.

- Steering: membership applications (view, approve, decline) and working group
  requests (view).
- Editors: working group requests (view, approve, decline) and applications (view).
Chairs of a working group with admin access decide on their own group's
requests without these permissions (community/wagtail_hooks.py).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Steering": [
        "view_membershipapplication",
        "change_membershipapplication",
        "view_workinggroupmembership",
    ],
    "Editors": [
        "view_membershipapplication",
        "view_workinggroupmembership",
        "change_workinggroupmembership",
    ],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("community")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in GRANTS.items():
        group = Group.objects.filter(name=group_name).first()
        if group is None:
            continue
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="community", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, codenames in GRANTS.items():
        group = Group.objects.filter(name=group_name).first()
        if group is not None:
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label="community", codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0001_initial"),
        ("hub", "0003_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
