"""The resource page's admin form as a test posts it: one place for the fields
every edit or create view of a ResourcePage needs, so a new required field is
added here once."""

from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from hub.models import EvidenceLevel, ResourceType

NEW_RESOURCE = {
    "title": "Peer-run respite houses",
    "slug": "peer-run-respite",
    "summary": "What peer-run respite is and how CMHCs partner with it.",
    "language": "en",
    "source_url": "https://example.org/respite",
}


def resource_form(fields, documents=()):
    """``fields`` with empty inline panels; ``documents`` are documents to attach."""
    data = {
        "body": streamfield([]),
        "authors": inline_formset([]),
        "documents": inline_formset([{"document": document.pk, "label": ""} for document in documents]),
        "related_resources": inline_formset([]),
        **fields,
    }
    return nested_form_data(data)


def new_resource_data(**overrides):
    """A guide nobody has rated yet, ready for the add view."""
    fields = {
        **NEW_RESOURCE,
        "resource_type": ResourceType.objects.get(slug="guide").pk,
        "evidence_level": EvidenceLevel.objects.get(slug="not-rated").pk,
        **overrides,
    }
    return resource_form(fields)


def edit_data(page, documents=(), **overrides):
    """The edit view's form for ``page`` as it is, with ``overrides``."""
    fields = {
        "title": page.title,
        "slug": page.slug,
        "summary": page.summary,
        "resource_type": page.resource_type_id,
        "evidence_level": page.evidence_level_id,
        "language": page.language,
        "source_url": page.source_url,
        **overrides,
    }
    return resource_form(fields, documents)
