from .index_page import ResourceIndexPage
from .resource_page import (
    LANGUAGE_CHOICES,
    RelatedResource,
    ResourceAuthor,
    ResourceDocument,
    ResourcePage,
    ResourcePageTag,
)

__all__ = [
    "LANGUAGE_CHOICES",
    "RelatedResource",
    "ResourceAuthor",
    "ResourceDocument",
    "ResourceIndexPage",
    "ResourcePage",
    "ResourcePageTag",
]
