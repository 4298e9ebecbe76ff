"""Wagtail's own default "Moderators" group (not one of the hub's roles) held
"publish" on the root page, so anyone put in it would publish without review.
It is removed when nobody is in it; otherwise it loses direct publishing, like
Editors did in 0004. Publishing is by review only (hub/workflows.py)."""

from django.db import migrations


def remove_publishing_outside_review(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupPagePermission.objects.filter(group__name="Moderators", permission__codename="publish_page").delete()
    Group.objects.filter(name="Moderators", user__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("hub", "0006_contributors_below_the_root_and_review_queue_permission")]

    operations = [migrations.RunPython(remove_publishing_outside_review, migrations.RunPython.noop)]
