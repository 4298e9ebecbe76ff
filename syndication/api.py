"""The public read-only API (Wagtail API v2 at /api/v2/): pages, images, documents.

Only live, public content, whoever asks: the page listing starts from live pages
with no view restriction on them or an ancestor (and a public audience), images
and documents from collections with no view restriction. Signed-in people get
the same answers; the API is for partner sites, not for members.

Filters on top of Wagtail's own (``type``, ``search``, ``child_of``, ``fields``,
``order``, ``limit``, ``offset``): ``topic=<slug>`` and ``evidence=<slug>``.
"""

from django.apps import apps
from rest_framework import serializers
from wagtail.api import APIField
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet
from wagtail.models import CollectionViewRestriction, Page, Site

from hub.audience import PUBLIC


class TermSerializer(serializers.Serializer):
    """A vocabulary term (topic, population, evidence level, resource type)."""

    slug = serializers.CharField()
    name = serializers.CharField()


def _terms(many=False):
    return TermSerializer(many=many, read_only=True)


def declare_api_fields():
    """What the API shows of each page type. Declared here, beside the API,
    rather than on each model: the fields are the API's contract with partners."""
    fields = {
        "knowledge.ResourcePage": [
            APIField("summary"),
            APIField("resource_type", serializer=_terms()),
            APIField("evidence_level", serializer=_terms()),
            APIField("topics", serializer=_terms(many=True)),
            APIField("populations", serializer=_terms(many=True)),
            APIField("publisher"),
            APIField("publication_year"),
            APIField("source_url"),
            APIField("doi"),
            APIField("language"),
            APIField("last_reviewed"),
        ],
        "events.EventPage": [
            APIField("summary"),
            APIField("event_format"),
            APIField("start"),
            APIField("end"),
            APIField("time_zone"),
            APIField("cancelled"),
            APIField("topics", serializer=_terms(many=True)),
        ],
        "community.PartnerCommunityPage": [
            APIField("description"),
            APIField("relationship"),
            APIField("website"),
            APIField("topics", serializer=_terms(many=True)),
            APIField("populations", serializer=_terms(many=True)),
        ],
        "community.WorkingGroupPage": [
            APIField("purpose"),
            APIField("meeting_cadence"),
            APIField("topics", serializer=_terms(many=True)),
        ],
    }
    for label, api_fields in fields.items():
        apps.get_model(label).api_fields = api_fields


def _models_with(field_name):
    from hub.models import BasePage

    return [
        model
        for model in apps.get_models()
        if issubclass(model, BasePage) and any(f.name == field_name for f in model._meta.get_fields())
    ]


class PublicPagesAPIViewSet(PagesAPIViewSet):
    known_query_parameters = PagesAPIViewSet.known_query_parameters.union(["topic", "evidence"])

    def get_base_queryset(self):
        queryset = Page.objects.live().public()
        site = Site.find_for_request(self.request)
        if site is not None:
            queryset = queryset.descendant_of(site.root_page, inclusive=True)
        # Belt and braces: pages built on BasePage also say who they are for.
        for model in _models_with("audience"):
            queryset = queryset.exclude(pk__in=model.objects.exclude(audience=PUBLIC).values("pk"))
        return queryset

    def get_queryset(self):
        queryset = super().get_queryset()
        topic = self.request.GET.get("topic", "").strip()
        if topic:
            from hub.models import Topic

            if not Topic.objects.filter(slug=topic).exists():
                raise BadRequestError(f"unknown topic: {topic[:100]}")
            ids = set()
            for model in _models_with("topics"):
                ids.update(model.objects.filter(topics__slug=topic).values_list("pk", flat=True))
            queryset = queryset.filter(pk__in=ids)
        evidence = self.request.GET.get("evidence", "").strip()
        if evidence:
            from hub.models import EvidenceLevel
            from knowledge.models import ResourcePage

            if not EvidenceLevel.objects.filter(slug=evidence).exists():
                raise BadRequestError(f"unknown evidence level: {evidence[:100]}")
            queryset = queryset.filter(
                pk__in=ResourcePage.objects.filter(evidence_level__slug=evidence).values("pk")
            )
        return queryset


def _public_collections_only(queryset):
    restricted = CollectionViewRestriction.objects.values_list("collection__path", flat=True)
    for path in restricted:
        queryset = queryset.exclude(collection__path__startswith=path)
    return queryset


class PublicImagesAPIViewSet(ImagesAPIViewSet):
    def get_queryset(self):
        return _public_collections_only(self.model.objects.all().order_by("id"))


class PublicDocumentsAPIViewSet(DocumentsAPIViewSet):
    def get_queryset(self):
        return _public_collections_only(self.model.objects.all().order_by("id"))


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PublicPagesAPIViewSet)
api_router.register_endpoint("images", PublicImagesAPIViewSet)
api_router.register_endpoint("documents", PublicDocumentsAPIViewSet)
