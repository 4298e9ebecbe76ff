"""Demo accounts: one person in each role, for trying the hub locally.

The passwords are public (they are printed and listed in the README): these
accounts are for a laptop, never for a server anyone else can reach.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

DEMO_USERS = [
    # username, first name, last name, groups, is_superuser
    ("admin", "Alex", "Admin", [], True),
    ("contributor", "Casey", "Contributor", ["Contributors", "Partners"], False),
    ("editor", "Eden", "Editor", ["Editors"], False),
    ("reviewer", "Riley", "Reviewer", ["Evidence reviewers"], False),
    ("member", "Morgan", "Member", ["Members"], False),
    ("cmhc_staff", "Sam", "Staff", ["Members", "CMHC staff"], False),
    ("partner", "Parker", "Partner", ["Members", "Partners"], False),
    ("steering", "Sky", "Steering", ["Steering"], False),
]


def demo_password(username):
    return f"{username}-demo-2026"


def load(stdout):
    User = get_user_model()
    for username, first, last, groups, is_superuser in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@demo.cop-hub.example.org",
                "is_superuser": is_superuser,
                "is_staff": is_superuser,
            },
        )
        if created:
            user.set_password(demo_password(username))
            user.save()
        user.groups.add(*Group.objects.filter(name__in=groups))
    stdout.write("Demo accounts (local use only):")
    for username, _first, _last, groups, is_superuser in DEMO_USERS:
        role = "superuser" if is_superuser else ", ".join(groups)
        stdout.write(f"  {username:<12} password {demo_password(username):<24} {role}")
