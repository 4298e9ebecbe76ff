"""The community app's models, by part: membership of the CoP, the news digest's
record and working groups.

Partner communities will join here as their own module."""

from .digest import DigestItemSent
from .membership import (
    GROUPS_BY_ORGANISATION_TYPE,
    ORGANISATION_TYPES,
    JoinPage,
    MemberProfile,
    MembershipApplication,
)
from .partners import *  # noqa: F403  partner communities, their updates, referrals and link checks
from .working_groups import (
    WorkingGroupChair,
    WorkingGroupDocument,
    WorkingGroupIndexPage,
    WorkingGroupMeeting,
    WorkingGroupMembership,
    WorkingGroupOutput,
    WorkingGroupPage,
)

__all__ = [
    "DigestItemSent",
    "GROUPS_BY_ORGANISATION_TYPE",
    "JoinPage",
    "MemberProfile",
    "MembershipApplication",
    "ORGANISATION_TYPES",
    "WorkingGroupChair",
    "WorkingGroupDocument",
    "WorkingGroupIndexPage",
    "WorkingGroupMeeting",
    "WorkingGroupMembership",
    "WorkingGroupOutput",
    "WorkingGroupPage",
]
