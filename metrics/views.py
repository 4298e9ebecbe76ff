"""The steering reports in the Wagtail admin: the participation and impact
dashboard, the landscape and gap analysis, and its snapshots. Only people with
the metrics.view_dashboard permission (the Steering group, by migration) and
superusers see them; everyone else with admin access gets a 403."""

import logging
from functools import wraps

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from hub.spreadsheets import csv_response

from . import charts, counting, figures, gaps
from .models import GapSnapshot
from .periods import PERIOD_CHOICES, period_from_query

logger = logging.getLogger(__name__)


def can_see_metrics(user):
    return user.is_active and user.has_perm("metrics.view_dashboard")


def steering_only(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_see_metrics(request.user):
            # A plain 403 page: Wagtail would turn PermissionDenied into a
            # redirect to the dashboard, which hides why.
            return TemplateResponse(request, "metrics/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


def _period_context(request):
    period, choice, notices = period_from_query(request.GET)
    for notice in notices:
        messages.warning(request, notice)
    query = {"period": choice}
    if choice == "custom":
        query.update(start=period.start.isoformat(), end=period.end.isoformat())
    return period, {
        "period": period,
        "previous": period.previous,
        "choice": choice,
        "period_choices": PERIOD_CHOICES,
        "period_query": "&".join(f"{k}={v}" for k, v in query.items()),
    }


def _flush_pending_counts():
    """Write the view and download counts still in the cache, so the figures
    are current. Cheap: one cache read when nothing is pending."""
    try:
        counting.flush()
    except Exception:
        # Figures a few minutes old are better than no dashboard.
        logger.exception("Could not write pending view counts before the dashboard")


@require_GET
@steering_only
def dashboard(request):
    _flush_pending_counts()
    period, context = _period_context(request)
    export = request.GET.get("export")
    if export:
        stamp = f"{period.start:%Y%m%d}-{period.end:%Y%m%d}"
        if export == "all":
            rows = []
            for table in figures.all_tables(period):
                rows += [[table.title], table.columns, *table.rows, []]
            return csv_response(f"steering-dashboard-{stamp}.csv", rows)
        if export == "members-over-time":
            rows = [["Day", "Members"], *figures.members_over_time(period)]
            return csv_response(f"members-over-time-{stamp}.csv", rows)
        if export == "searches-over-time":
            rows = [["From", "Found something", "No results"], *figures.searches_over_time(period)]
            return csv_response(f"searches-over-time-{stamp}.csv", rows)
        if export in figures.TABLES:
            table = figures.TABLES[export](period)
            return csv_response(f"{export}-{stamp}.csv", [table.columns, *table.rows])
        messages.warning(request, "There is no figure of that name to export.")

    tables = {table.slug: table for table in figures.all_tables(period)}
    members_over_time = figures.members_over_time(period)
    searches_over_time = figures.searches_over_time(period)
    registrations = [(row[0], row[3]) for row in tables["registrations"].rows]
    referrals = [(row[0], row[3]) for row in tables["referrals"].rows]
    context.update(
        tables=tables,
        charts=[
            {
                "slug": "members-over-time",
                "title": "Members over time",
                "svg": charts.columns("chart-members", "Members over time", members_over_time, ("Members",)),
                "columns": ["Day", "Members"],
                "rows": members_over_time,
            },
            {
                "slug": "registrations",
                "title": "Confirmed registrations per event",
                "svg": charts.horizontal_bars(
                    "chart-registrations", "Confirmed registrations per event", registrations
                ),
                "columns": ["Event", "Confirmed registrations"],
                "rows": registrations,
            },
            {
                "slug": "searches-over-time",
                "title": "Searches with and without results",
                "svg": charts.columns(
                    "chart-searches",
                    "Searches with and without results",
                    searches_over_time,
                    ("Found something", "No results"),
                ),
                "columns": ["From", "Found something", "No results"],
                "rows": searches_over_time,
            },
            {
                "slug": "referrals",
                "title": "Visits sent by partners",
                "svg": charts.horizontal_bars("chart-referrals", "Visits sent by partners", referrals),
                "columns": ["Partner", "Visits"],
                "rows": referrals,
            },
        ],
        generated_at=timezone.localtime(),
    )
    return TemplateResponse(request, "metrics/dashboard.html", context)


@require_GET
@steering_only
def gap_analysis(request):
    period, context = _period_context(request)
    data = gaps.analysis(period)
    link_base = gaps.library_url()
    context.update(
        data=data,
        matrices=[gaps.matrix_view(data, key, link_base) for key, _label, _c in gaps.MATRICES],
        topic_rows=gaps.topic_rows(data),
        unmatched=data["demand"]["unmatched"],
        snapshots=GapSnapshot.objects.all(),
        thin=gaps.THIN,
        few_results_range=gaps.few_results_range(),
    )
    return TemplateResponse(request, "metrics/gap_analysis.html", context)


@require_POST
@steering_only
def take_snapshot(request):
    period, _context = _period_context(request)
    label = request.POST.get("label", "").strip()[:200]
    snapshot = gaps.take_snapshot(period, label=label, user=request.user)
    messages.success(request, f"Snapshot saved: {snapshot}.")
    return redirect(reverse("metrics_gap_analysis") + "#snapshots")


@require_GET
@steering_only
def snapshot_csv(request, pk):
    snapshot = get_object_or_404(GapSnapshot, pk=pk)
    return csv_response(
        f"gap-analysis-{snapshot.taken_on:%Y%m%d}-{slugify(snapshot.label) or snapshot.pk}.csv",
        gaps.snapshot_rows(snapshot.data),
    )


@require_GET
@steering_only
def compare_snapshots(request):
    snapshots = list(GapSnapshot.objects.all())
    context = {"snapshots": snapshots}
    older_id, newer_id = request.GET.get("older"), request.GET.get("newer")
    if older_id or newer_id:
        chosen = {str(s.pk): s for s in snapshots}
        older, newer = chosen.get(older_id or ""), chosen.get(newer_id or "")
        if older is None or newer is None:
            messages.warning(request, "Choose two saved snapshots to compare.")
        elif older.pk == newer.pk:
            messages.warning(request, "Choose two different snapshots.")
        else:
            if (older.taken_on, older.created_at) > (newer.taken_on, newer.created_at):
                older, newer = newer, older
            context.update(older=older, newer=newer, comparison=gaps.compare(older.data, newer.data))
            if request.GET.get("export") == "csv":
                rows = [
                    [
                        "Matrix",
                        "Change",
                        "Topic",
                        "Column",
                        older.taken_on.isoformat(),
                        newer.taken_on.isoformat(),
                    ]
                ]
                for section in context["comparison"]:
                    for change in ("filled", "missing", "emptied"):
                        for cell in section[change]:
                            rows.append(
                                [
                                    section["label"],
                                    change,
                                    cell["topic"],
                                    cell["column"],
                                    cell["before"],
                                    cell["after"],
                                ]
                            )
                return csv_response(
                    f"gap-comparison-{older.taken_on:%Y%m%d}-{newer.taken_on:%Y%m%d}.csv", rows
                )
    elif len(snapshots) >= 2:
        context.update(default_older=snapshots[-1].pk, default_newer=snapshots[0].pk)
    return TemplateResponse(request, "metrics/compare.html", context)
