from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from hub import page_password, webapp
from hub import views as hub_views
from search import views as search_views

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    # Wagtail's shared-password forms, with guesses limited (hub/page_password.py).
    path(
        "_util/authenticate_with_password/<int:page_view_restriction_id>/<int:page_id>/",
        page_password.limited_page_view,
    ),
    path(
        "documents/authenticate_with_password/<int:restriction_id>/",
        page_password.limited_document_view,
    ),
    path("documents/", include(wagtaildocs_urls)),
    path("search/", search_views.search, name="search"),
    path("search/autocomplete/", search_views.autocomplete, name="search-autocomplete"),
    path("health/live/", hub_views.liveness, name="health-live"),
    path("health/ready/", hub_views.readiness, name="health-ready"),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("favicon.ico", webapp.favicon, name="favicon"),
    path("manifest.webmanifest", webapp.manifest, name="web-manifest"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include("knowledge.urls"))]
urlpatterns += [path("", include("events.urls"))]  # calendar files: /events/feed.ics, <event>/calendar.ics
urlpatterns += [path("", include("community.urls"))]
urlpatterns += [path("", include("syndication.urls"))]  # feeds, /api/v2/, /embed/, /r/<id>/, robots.txt
urlpatterns += [path("", include(wagtail_urls))]

handler404 = "hub.views.page_not_found"
handler500 = "hub.views.server_error"
