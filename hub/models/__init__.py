from .base_page import BasePage
from .site_settings import FooterLink, HubSettings
from .taxonomy import EvidenceLevel, Population, ResourceType, Topic

__all__ = [
    "BasePage",
    "EvidenceLevel",
    "FooterLink",
    "HubSettings",
    "Population",
    "ResourceType",
    "Topic",
]
