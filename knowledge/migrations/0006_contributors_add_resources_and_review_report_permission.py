"""Contributors add resources; the review report asked for by permission.

- Contributors add resources to every resource library ("add" on the library:
  they edit the resources they drafted, nothing else there). Libraries created
  later get it from knowledge/signals.py. They no longer hold it at the root
  (hub migration 0006).
- The report of resources due for review is asked for by permission
  (knowledge.view_review_report), granted to Editors, Evidence reviewers and
  Steering, instead of by the groups' names.
"""

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


REPORT_GROUPS = ["Editors", "Evidence reviewers", "Steering"]


def _add_permission_on_libraries(apps):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    ResourceIndexPage = apps.get_model("knowledge", "ResourceIndexPage")
    contributors = Group.objects.filter(name="Contributors").first()
    add_page = Permission.objects.get(content_type__app_label="wagtailcore", codename="add_page")
    return contributors, add_page, GroupPagePermission, ResourceIndexPage.objects.values_list("pk", flat=True)


def forward(apps, schema_editor):
    _grant(apps, "knowledge", "view_review_report", REPORT_GROUPS)
    contributors, add_page, GroupPagePermission, library_ids = _add_permission_on_libraries(apps)
    if contributors is not None:
        for page_id in library_ids:
            GroupPagePermission.objects.get_or_create(
                group=contributors, page_id=page_id, permission=add_page
            )


def backward(apps, schema_editor):
    _grant(apps, "knowledge", "view_review_report", REPORT_GROUPS, add=False)
    contributors, add_page, GroupPagePermission, library_ids = _add_permission_on_libraries(apps)
    GroupPagePermission.objects.filter(
        group=contributors, page_id__in=list(library_ids), permission=add_page
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("hub", "0003_roles"),
        ("knowledge", "0005_resourceindexpage_audience_resourcepage_audience"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="reviewreminder",
            options={
                "permissions": [("view_review_report", "Can see the report of resources due for review")]
            },
        ),
        migrations.RunPython(forward, backward),
    ]
