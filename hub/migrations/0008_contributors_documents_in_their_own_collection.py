"""Contributors add and choose documents in a "Contributions" collection of
their own instead of the root collection, whose subtree holds every document,
working groups' members-only ones included (and their titles would show in a
contributor's document list and chooser). Images stay on the root collection:
the hub keeps no restricted images."""

from django.db import migrations

CONTRIBUTIONS = "Contributions"
CODENAMES = ["add_document", "choose_document"]


def _parts(apps):
    Collection = apps.get_model("wagtailcore", "Collection")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    permissions = list(
        Permission.objects.filter(content_type__app_label="wagtaildocs", codename__in=CODENAMES)
    )
    return (
        Collection,
        Group.objects.filter(name="Contributors").first(),
        permissions,
        GroupCollectionPermission,
    )


def forward(apps, schema_editor):
    Collection, contributors, permissions, GroupCollectionPermission = _parts(apps)
    if contributors is None:
        return
    root = Collection.objects.get(depth=1)
    contributions = Collection.objects.filter(depth=2, name=CONTRIBUTIONS).first()
    if contributions is None:
        # Treebeard's add_child is not available on historical models: place the
        # child by hand, after the root's last child.
        last = Collection.objects.filter(depth=2).order_by("-path").first()
        step = 4
        number = int(last.path[-step:], 36) + 1 if last else 1
        path = root.path + _base36(number, step)
        contributions = Collection.objects.create(name=CONTRIBUTIONS, depth=2, path=path, numchild=0)
        root.numchild = Collection.objects.filter(depth=2).count()
        root.save(update_fields=["numchild"])
    GroupCollectionPermission.objects.filter(
        group=contributors, collection=root, permission__in=permissions
    ).delete()
    for permission in permissions:
        GroupCollectionPermission.objects.get_or_create(
            group=contributors, collection=contributions, permission=permission
        )


def backward(apps, schema_editor):
    Collection, contributors, permissions, GroupCollectionPermission = _parts(apps)
    if contributors is None:
        return
    root = Collection.objects.get(depth=1)
    GroupCollectionPermission.objects.filter(
        group=contributors, collection__name=CONTRIBUTIONS, permission__in=permissions
    ).delete()
    for permission in permissions:
        GroupCollectionPermission.objects.get_or_create(
            group=contributors, collection=root, permission=permission
        )


def _base36(number, width):
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    text = ""
    while number:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
    return text.rjust(width, "0")


class Migration(migrations.Migration):
    dependencies = [
        ("hub", "0007_no_group_publishes_directly"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [migrations.RunPython(forward, backward)]
