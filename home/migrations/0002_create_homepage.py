"""Replace Wagtail's placeholder welcome page with the hub's home page, so every
fresh database serves the CoP's mission at /."""

from django.db import migrations

MISSION = (
    "<p>We bring Community Mental Health Center leaders, mental health researchers and "
    "partner organisations together to build a pathway to equitable mental health care "
    "for underserved patient populations. Here you can find evidence you can trust, "
    "learn from each other in webinars and working groups, and help decide what the "
    "field needs next.</p>"
)


def create_homepage(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    Locale = apps.get_model("wagtailcore.Locale")
    HomePage = apps.get_model("home.HomePage")

    if HomePage.objects.exists():
        return
    Page.objects.filter(depth=2, slug="home", content_type__model="page").delete()
    root = Page.objects.get(depth=1)
    content_type, _ = ContentType.objects.get_or_create(model="homepage", app_label="home")
    locale = Locale.objects.order_by("pk").first()
    homepage = HomePage.objects.create(
        title="Home",
        draft_title="Home",
        slug="home",
        content_type=content_type,
        path=root.path + "0002",
        depth=2,
        numchild=0,
        url_path="/home/",
        locale_id=locale.pk,
        mission_heading="Equitable mental health care, built together",
        mission=MISSION,
        join_heading="Join the Community of Practice",
        join_text=(
            "Membership is free for CMHC staff, researchers and partner organisations. "
            "Members join working groups, register for closed trainings and read "
            "members-only material."
        ),
    )
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])
    site, _ = Site.objects.update_or_create(
        is_default_site=True,
        defaults={
            "hostname": "localhost",
            "port": 80,
            "root_page_id": homepage.pk,
            "site_name": "CoP Knowledge Hub",
        },
    )
    # Created here rather than on the first page view, so that view does not
    # count as a settings change and purge the page cache.
    HubSettings = apps.get_model("hub.HubSettings")
    HubSettings.objects.get_or_create(site=site)


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0001_initial"),
        ("hub", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_homepage, migrations.RunPython.noop)]
