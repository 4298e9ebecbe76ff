"""Who sees the partner records in the admin: Editors and Steering see referral
counts, partner feed results and link checks (all three are written by the hub
itself, so nobody adds or edits them)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = ["view_referralcount", "view_partnerfeedresult", "view_linkcheck"]
GROUPS = ["Editors", "Steering"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("community")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="community", codename__in=CODENAMES)
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="community", codename__in=CODENAMES)
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0003_partner_communities"),
        ("hub", "0003_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
