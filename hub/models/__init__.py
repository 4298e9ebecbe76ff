from .base_page import BasePage
from .mail import MailFailure
from .scheduler import ScheduledJob
from .site_settings import FooterLink, HubSettings
from .taxonomy import EvidenceLevel, Population, ResourceType, Topic

__all__ = [
    "BasePage",
    "EvidenceLevel",
    "FooterLink",
    "MailFailure",
    "HubSettings",
    "Population",
    "ResourceType",
    "ScheduledJob",
    "Topic",
]
