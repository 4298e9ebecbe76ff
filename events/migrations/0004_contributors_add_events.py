"""Contributors add events to every events index ("add" on the index: they edit
the events they drafted, nothing else there, closed meetings included). Indexes
created later get it from events/signals.py; the root no longer gives it
(hub migration 0006)."""

from django.db import migrations


def _parts(apps):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    EventIndexPage = apps.get_model("events", "EventIndexPage")
    contributors = Group.objects.filter(name="Contributors").first()
    add_page = Permission.objects.get(content_type__app_label="wagtailcore", codename="add_page")
    return (
        contributors,
        add_page,
        GroupPagePermission,
        list(EventIndexPage.objects.values_list("pk", flat=True)),
    )


def forward(apps, schema_editor):
    contributors, add_page, GroupPagePermission, index_ids = _parts(apps)
    if contributors is not None:
        for page_id in index_ids:
            GroupPagePermission.objects.get_or_create(
                group=contributors, page_id=page_id, permission=add_page
            )


def backward(apps, schema_editor):
    contributors, add_page, GroupPagePermission, index_ids = _parts(apps)
    GroupPagePermission.objects.filter(
        group=contributors, page_id__in=index_ids, permission=add_page
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0003_eventregistration_attended"),
        ("hub", "0003_roles"),
    ]

    operations = [migrations.RunPython(forward, backward)]
