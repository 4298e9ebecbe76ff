"""Each role gets the smallest part of the page tree it needs (hub/roles.py).

- Contributors lose "add" and "change" on the root page, which let them edit
  and preview every page: other partners', closed meetings, steering pages,
  working groups. They add to resource libraries and events indexes instead
  (knowledge and events migrations, and signals for indexes created later),
  and edit their own partner page through a per-partner group.
- "Can see what waits for review" replaces the check on the group names
  Editors, Evidence reviewers and Steering for the dashboard's review panel.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROOT_CODENAMES = ["add_page", "change_page"]
REVIEW_QUEUE_GROUPS = ["Editors", "Evidence reviewers", "Steering"]


def _review_queue_permission(apps):
    app_config = apps.get_app_config("hub")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.get(content_type__app_label="hub", codename="view_review_queue")


def forward(apps, schema_editor):
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    Group = apps.get_model("auth", "Group")
    GroupPagePermission.objects.filter(
        group__name="Contributors", page__depth=1, permission__codename__in=ROOT_CODENAMES
    ).delete()
    permission = _review_queue_permission(apps)
    for group in Group.objects.filter(name__in=REVIEW_QUEUE_GROUPS):
        group.permissions.add(permission)


def backward(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Permission = apps.get_model("auth", "Permission")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    contributors = Group.objects.filter(name="Contributors").first()
    if contributors is not None:
        for codename in ROOT_CODENAMES:
            GroupPagePermission.objects.get_or_create(
                group=contributors,
                page=Page.objects.get(depth=1),
                permission=Permission.objects.get(content_type__app_label="wagtailcore", codename=codename),
            )
    permission = Permission.objects.filter(
        content_type__app_label="hub", codename="view_review_queue"
    ).first()
    if permission is not None:
        for group in Group.objects.filter(name__in=REVIEW_QUEUE_GROUPS):
            group.permissions.remove(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("hub", "0005_mail_failures"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="hubsettings",
            options={
                "permissions": [
                    ("view_review_queue", "Can see what waits for review on the admin dashboard")
                ],
                "verbose_name": "hub settings",
            },
        ),
        migrations.RunPython(forward, backward),
    ]
