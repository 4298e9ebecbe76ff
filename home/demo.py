"""Demo content for the home page, the site settings and the general pages."""

from urllib.parse import urlsplit

from django.conf import settings as django_settings
from wagtail.models import Site

from hub.models import FooterLink, HubSettings

from .models import HomePage, StandardPage

STANDARD_PAGES = [
    {
        "slug": "about",
        "title": "About the CoP",
        "show_in_menus": True,
        "introduction": (
            "The Community of Practice is a network of Community Mental Health Centers, "
            "researchers and partner organisations working towards equitable mental health care."
        ),
        "body": [
            ("heading", "Why we exist"),
            (
                "paragraph",
                "<p>People from underserved communities are less likely to get mental health care, "
                "and when they do, it is less likely to fit their needs. Community Mental Health "
                "Centers serve many of them. We connect CMHC leaders with researchers and partners "
                "so that what works reaches the people who need it.</p>",
            ),
            ("heading", "How we work"),
            (
                "paragraph",
                "<p>We share evidence-based resources, run open webinars and closed trainings, and "
                "bring members together in working groups on the gaps that matter most: workforce "
                "and peer support, crisis services, equity and language access, and research "
                "partnerships. Every two years we map what the field knows and where the gaps are.</p>",
            ),
        ],
    },
    {
        "slug": "privacy",
        "title": "Privacy notice",
        "show_in_menus": False,
        "introduction": "What we collect about you, why, and how to ask us to remove it.",
        "body": [
            (
                "paragraph",
                "<p>We collect only what you give us when you join, register for an event or contact "
                "us: your name, e-mail address, organisation and role. We use it to run the Community "
                "of Practice and never sell it. We count page visits as daily totals without storing "
                "your IP address. You can download your data or close your account at any time from "
                "your profile.</p>",
            ),
        ],
    },
    {
        "slug": "accessibility",
        "title": "Accessibility statement",
        "show_in_menus": False,
        "introduction": "We want everyone to be able to use this site.",
        "body": [
            (
                "paragraph",
                "<p>This site aims to meet the Web Content Accessibility Guidelines (WCAG) 2.2 at level "
                "AA. You can use it with a keyboard, a screen reader or zoomed to 400%. Webinars have "
                "captions, and you can ask for an interpreter when you register. If something does not "
                "work for you, please write to us and we will help.</p>",
            ),
        ],
    },
]


def load(stdout):
    site = Site.objects.get(is_default_site=True)
    # Full URLs in feeds, JSON-LD and e-mails should point where `make run` serves.
    base = urlsplit(django_settings.WAGTAILADMIN_BASE_URL)
    if base.hostname and (site.hostname, site.port) != (base.hostname, base.port or 80):
        site.hostname, site.port = base.hostname, base.port or 80
        site.save()
    home = site.root_page.specific
    if not isinstance(home, HomePage):
        raise RuntimeError("The default site's root page is not the hub's home page; run migrate first.")
    if not home.listing_summary:
        home.listing_summary = (
            "A knowledge hub for equitable mental health care in Community Mental Health Centers."
        )
        home.search_description = home.listing_summary
        home.save_revision().publish()

    pages = {}
    for spec in STANDARD_PAGES:
        page = StandardPage.objects.child_of(home).filter(slug=spec["slug"]).first()
        if page is None:
            page = StandardPage(
                slug=spec["slug"],
                title=spec["title"],
                show_in_menus=spec["show_in_menus"],
                introduction=spec["introduction"],
                body=spec["body"],
                listing_summary=spec["introduction"],
            )
            home.add_child(instance=page)
            page.save_revision().publish()
        pages[spec["slug"]] = page

    settings = HubSettings.for_site(site)
    settings.community_name = "Equitable Mental Health Care Community of Practice"
    settings.tagline = "CMHC leaders, researchers and partners building a pathway to equitable care"
    settings.contact_email = "hello@cop-hub.example.org"
    settings.contact_address = "Community of Practice secretariat\nPO Box 1000\nAnytown, USA"
    settings.join_email = "join@cop-hub.example.org"
    settings.save()
    if not settings.footer_links.exists():
        for order, slug in enumerate(["about", "privacy", "accessibility"]):
            FooterLink.objects.create(
                settings=settings, label=pages[slug].title, page=pages[slug], sort_order=order
            )
    stdout.write(f"Home page and {len(pages)} general pages ready.")
