"""The public read-only API (Wagtail API v2 at /api/v2/): pages, images, documents.

Only live, public content, whoever asks: the page listing starts from live pages
with no view restriction on them or an ancestor (and a public audience), images
and documents from collections with no view restriction (documents also not
used only on restricted pages, ``hub.document_privacy``). Signed-in people get
the same answers; the API is for partner sites, not for members.

Filters on top of Wagtail's own (``type``, ``search``, ``child_of``, ``fields``,
``order``, ``limit``, ``offset``): ``topic=<slug>`` and ``evidence=<slug>``.
"""

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Case, When
from rest_framework import serializers
from rest_framework.filters import BaseFilterBackend
from wagtail.api import APIField
from wagtail.api.v2.filters import SearchFilter
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet
from wagtail.models import CollectionViewRestriction, Page, Site

from hub.audience import PUBLIC
from hub.document_privacy import public_documents


class TermSerializer(serializers.Serializer):
    """A vocabulary term (topic, population, evidence level, resource type)."""

    slug = serializers.CharField()
    name = serializers.CharField()


API_SEARCH_LIMIT = 500  # matches a ?search= can page through


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


BIGINT = 2**63 - 1
INTEGER_PARAMETERS = ("offset", "limit", "child_of", "descendant_of", "ancestor_of", "translation_of")
SEARCH_OPERATORS = ("and", "or")


def _integer(name, value, minimum=0):
    """``value`` as a whole number the database can hold, or a 400 that says so."""
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or not minimum <= number <= BIGINT:
        raise BadRequestError(f"{name} must be a whole number from {minimum} to {BIGINT}")
    return number


def _check_field_filter(name, field, value):
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    if isinstance(field, (models.IntegerField, models.AutoField)):
        _integer(name, value, minimum=-BIGINT - 1)
    elif isinstance(field, models.DateTimeField):
        try:
            field.to_python(value)
        except ValidationError as error:
            raise BadRequestError(f"{name} must be a date and time, like 2026-05-01T14:00") from error
    elif isinstance(field, models.DateField):
        try:
            field.to_python(value)
        except ValidationError as error:
            raise BadRequestError(f"{name} must be a date, like 2026-05-01") from error


class CheckedQueryMixin:
    """Every query parameter checked before it reaches the database: whole numbers
    within bigint, dates that are dates, a search operator Wagtail knows. Wagtail's
    own checks let these through to a 500. (NUL characters never get this far:
    hub/input_checks.py refuses them for the whole hub.)"""

    def check_query_parameters(self, queryset):
        super().check_query_parameters(queryset)
        query = self.request.GET
        for name in INTEGER_PARAMETERS:
            if query.get(name, "root") != "root":
                _integer(name, query[name])
        operator = query.get("search_operator")
        if operator is not None and operator not in SEARCH_OPERATORS:
            raise BadRequestError("search_operator must be 'and' or 'or'")
        model = queryset.model
        for name in set(query) & set(self.get_available_fields(model, db_fields_only=True)):
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            _check_field_filter(name, field, query[name])

    def find_object(self, queryset, request):
        if "id" in request.GET:
            _integer("id", request.GET["id"])
        return super().find_object(queryset, request)


class HubSearchFilter(BaseFilterBackend):
    """``?search=``: the hub's own search (search/service.py), as an anonymous
    visitor gets it on /search/: the searchable page types (resources, events,
    working groups, partner communities, pages), best match first unless
    ``order`` is given, at most ``API_SEARCH_LIMIT`` matches. ``search_operator``
    is accepted; the hub always ranks pages holding every word first."""

    def filter_queryset(self, request, queryset, view):
        if "search" not in request.GET:
            return queryset
        from search.service import Ask, clean_query, search, words_of

        text, _shortened = clean_query(request.GET["search"])
        if not words_of(text):
            return queryset.none()
        answer = search(Ask(text=text, allowed=(PUBLIC,), per_page=API_SEARCH_LIMIT, correct=False))
        ranked = [hit.pk for hit in answer.hits]
        queryset = queryset.filter(pk__in=ranked)
        if "order" not in request.GET and ranked:
            queryset = queryset.order_by(Case(*(When(pk=pk, then=i) for i, pk in enumerate(ranked))))
        return queryset


class PublicPagesAPIViewSet(CheckedQueryMixin, PagesAPIViewSet):
    known_query_parameters = PagesAPIViewSet.known_query_parameters.union(["topic", "evidence"])
    filter_backends = [
        HubSearchFilter if backend is SearchFilter else backend for backend in PagesAPIViewSet.filter_backends
    ]

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


class PublicImagesAPIViewSet(CheckedQueryMixin, ImagesAPIViewSet):
    def get_queryset(self):
        return _public_collections_only(self.model.objects.all().order_by("id"))


class PublicDocumentsAPIViewSet(CheckedQueryMixin, DocumentsAPIViewSet):
    def get_queryset(self):
        # Only what an anonymous visitor may fetch: an open collection, and not
        # used only on restricted pages or in a working group's space.
        return public_documents(_public_collections_only(self.model.objects.all().order_by("id")))


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PublicPagesAPIViewSet)
api_router.register_endpoint("images", PublicImagesAPIViewSet)
api_router.register_endpoint("documents", PublicDocumentsAPIViewSet)
