"""The news digest: an e-mail to each member of what is new in what they follow.

A member follows topics, working groups and partner communities
(community/follows.py) and chooses how often the digest comes
(``MemberProfile.digest_frequency``: daily, weekly by default, monthly or
never). ``manage.py send_digests``, run from cron every hour, sends the
digests that are due.

What is news to a member is what happened after their *window start*: the
time their last digest went (``MemberProfile.digest_sent_at``, the
watermark), or one period back for a first digest, and never more than two
periods back. In the topics they follow: resources first published in the
window or reviewed again in it (``last_reviewed`` moved on), and events
published in it that start after now; in the working groups they follow, the
group's outputs and meetings (the same rules) and, for the group's members,
documents added to its members-only part; from the partner communities they
follow, the updates read from their feeds. Only live pages, and only what the
member may see (``hub.audience``: members-only pages for members, closed
meetings for their groups, never a password-protected page).

Each item goes to a member once. Besides the watermark, every item sent is
recorded (``DigestItemSent``, unique per member and item): review dates are
days, not moments, so a window boundary could otherwise count a review twice;
an event or resource reached through a topic and a group is one item; and two
runs at the same time cannot both send it. A resource's record names its
review date, so a later review is news again. A member is due when their last
digest went at least one period ago (a few minutes' grace for cron); with
nothing new, nothing is sent and the watermark stays, so the news is sent at
the next run that finds some.

Parts: ``news`` reads what is new once per run, ``build`` picks each member's
share, ``message`` renders the e-mail, ``sending`` sends and records it,
``unsubscribe`` is the one-click link.
"""

from .build import build_digests, due_profiles
from .sending import send_due_digests

__all__ = ["build_digests", "due_profiles", "send_due_digests"]
