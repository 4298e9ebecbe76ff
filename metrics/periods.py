"""The reporting period: the last 30, 90 or 365 days (today included), or a
custom range of days, with the period of the same length just before it for
comparison.

Days are always the hub's (``TIME_ZONE``), not the time zone a steering member
chose in their admin account settings (which Wagtail activates in the admin):
the figures are the same whoever reads them."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

PERIOD_CHOICES = [
    ("30", "Last 30 days"),
    ("90", "Last 90 days"),
    ("365", "Last 365 days"),
    ("custom", "Custom"),
]
DEFAULT_PERIOD = "30"
LONGEST_RANGE_DAYS = 5 * 366


@dataclass(frozen=True)
class Period:
    start: datetime.date  # first day, included
    end: datetime.date  # last day, included

    @property
    def days(self):
        return (self.end - self.start).days + 1

    @property
    def previous(self):
        end = self.start - datetime.timedelta(days=1)
        return Period(end - datetime.timedelta(days=self.days - 1), end)

    @property
    def start_moment(self):
        """Midnight at the start of the first day, in the hub's time zone."""
        return day_start(self.start)

    @property
    def end_moment(self):
        """Midnight after the last day (excluded), in the hub's time zone."""
        return day_start(self.end + datetime.timedelta(days=1))

    def moments(self, field):
        """Filter arguments for a date-time field within the period."""
        return {f"{field}__gte": self.start_moment, f"{field}__lt": self.end_moment}

    def dates(self, field):
        return {f"{field}__gte": self.start, f"{field}__lte": self.end}

    @property
    def label(self):
        return f"{_day(self.start)} to {_day(self.end)}"


def hub_today():
    """Today in the hub's time zone."""
    return timezone.localdate(timezone=timezone.get_default_timezone())


def day_start(day):
    """Midnight at the start of ``day`` in the hub's time zone."""
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time.min), timezone.get_default_timezone()
    )


def _day(value):
    return f"{value.day} {value:%b %Y}"


def last_days(days, today=None):
    today = today or hub_today()
    return Period(today - datetime.timedelta(days=days - 1), today)


def _parse_date(value):
    try:
        return datetime.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def period_from_query(params, today=None):
    """``(period, choice, messages)`` from the query string. Anything that cannot
    be read falls back to the last 30 days with a message saying why."""
    today = today or hub_today()
    choice = params.get("period", DEFAULT_PERIOD)
    messages = []
    if choice in {"30", "90", "365"}:
        return last_days(int(choice), today), choice, messages
    if choice == "custom":
        start, end = _parse_date(params.get("start")), _parse_date(params.get("end"))
        if start is None or end is None:
            messages.append(
                "Give both the first and the last day of the range (YYYY-MM-DD). Showing the last 30 days."
            )
        elif start > end:
            messages.append("The first day comes after the last day. Showing the last 30 days.")
        elif (end - start).days + 1 > LONGEST_RANGE_DAYS:
            messages.append("A range can be at most five years long. Showing the last 30 days.")
        else:
            return Period(start, end), choice, messages
    else:
        messages.append("Unknown period. Showing the last 30 days.")
    return last_days(30, today), DEFAULT_PERIOD, messages
