"""The hub's roles as groups, each with the admin permissions its name implies.

- Contributors (partners who draft): create and edit pages, never publish.
- Editors: create, edit and publish pages; manage images, documents,
  vocabularies and site settings.
- Evidence reviewers: reach the admin to review pages waiting for them.
- Members, CMHC staff, Partners: people who read members-only material; no admin.
- Steering: the steering team; reach the admin for reports and dashboards.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = [
    "Contributors",
    "Editors",
    "Evidence reviewers",
    "Members",
    "CMHC staff",
    "Partners",
    "Steering",
]
ADMIN_ROLES = {"Contributors", "Editors", "Evidence reviewers", "Steering"}
PAGE_PERMISSIONS = {
    "Contributors": ["add_page", "change_page"],
    "Editors": ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
}
MODEL_PERMISSIONS = {
    "Contributors": [
        ("wagtailimages", "add_image"),
        ("wagtailimages", "choose_image"),
        ("wagtaildocs", "add_document"),
        ("wagtaildocs", "choose_document"),
    ],
    "Editors": [
        ("wagtailimages", "add_image"),
        ("wagtailimages", "change_image"),
        ("wagtailimages", "choose_image"),
        ("wagtaildocs", "add_document"),
        ("wagtaildocs", "change_document"),
        ("wagtaildocs", "choose_document"),
        ("hub", "add_topic"),
        ("hub", "change_topic"),
        ("hub", "add_population"),
        ("hub", "change_population"),
        ("hub", "add_resourcetype"),
        ("hub", "change_resourcetype"),
        ("hub", "add_evidencelevel"),
        ("hub", "change_evidencelevel"),
        ("hub", "change_hubsettings"),
    ],
    "Evidence reviewers": [
        ("wagtailimages", "choose_image"),
        ("wagtaildocs", "choose_document"),
    ],
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations have run; on a fresh
    # database they must exist now for the groups to receive them.
    for label in ("wagtailadmin", "wagtailcore", "wagtailimages", "wagtaildocs", "hub"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    root_page = Page.objects.get(depth=1)
    root_collection = Collection.objects.get(depth=1)
    access_admin = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")

    for name in ROLES:
        group, _ = Group.objects.get_or_create(name=name)
        if name in ADMIN_ROLES:
            group.permissions.add(access_admin)
        for codename in PAGE_PERMISSIONS.get(name, []):
            permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
            GroupPagePermission.objects.get_or_create(group=group, page=root_page, permission=permission)
        for app_label, codename in MODEL_PERMISSIONS.get(name, []):
            permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
            if app_label in ("wagtailimages", "wagtaildocs"):
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root_collection, permission=permission
                )
            else:
                group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("hub", "0002_seed_taxonomy"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
