"""Editors approve the editorial step instead of publishing directly: every
page goes live by passing its workflow (hub/workflows.py), so no resource can
skip evidence review. Site administrators (superusers) can still publish."""

from django.db import migrations


def remove_direct_publishing(apps, schema_editor):
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupPagePermission.objects.filter(group__name="Editors", permission__codename="publish_page").delete()


def restore_direct_publishing(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Permission = apps.get_model("auth", "Permission")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupPagePermission.objects.get_or_create(
        group=Group.objects.get(name="Editors"),
        page=Page.objects.get(depth=1),
        permission=Permission.objects.get(content_type__app_label="wagtailcore", codename="publish_page"),
    )


class Migration(migrations.Migration):
    dependencies = [("hub", "0003_roles")]

    operations = [migrations.RunPython(remove_direct_publishing, restore_direct_publishing)]
