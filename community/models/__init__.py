"""The community app's models, by part: membership of the CoP and working groups.

Partner communities will join here as their own module."""

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
