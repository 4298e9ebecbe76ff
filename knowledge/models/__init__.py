from .index_page import ResourceIndexPage
from .resource_page import (
    LANGUAGE_CHOICES,
    RelatedResource,
    ResourceAuthor,
    ResourceDocument,
    ResourcePage,
    ResourcePageTag,
    ReviewReminder,
)
from .workflow import EvidenceReviewTask

__all__ = [
    "EvidenceReviewTask",
    "LANGUAGE_CHOICES",
    "RelatedResource",
    "ResourceAuthor",
    "ResourceDocument",
    "ResourceIndexPage",
    "ResourcePage",
    "ResourcePageTag",
    "ReviewReminder",
]
