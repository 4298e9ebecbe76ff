"""The landscape and gap analysis of the knowledge base.

Supply: live, public resources counted in three coverage matrices, topics by
population, by resource type and by evidence level. A cell with no resource is
*empty*, one with ``THIN`` or fewer is *thin*.

Demand, per topic, over the period: searches, the searches that found nothing
and those that found only a little (1 to ``SearchDailyStat.FEW_RESULTS``
results), both from ``search.SearchDailyStat``, and member suggestions
(resources suggested through the suggestion form, counted by the day of their
first revision).

How a search is matched to a topic: the query (normalised, lower case) belongs
to every topic for which one of the topic's terms appears in the query as whole
words, or the query appears within one of the terms as whole words. A topic's
terms are its name, its slug read as words and, from the editor-managed search
synonyms, every term of a synonym group that holds one of those. Words of three
letters or fewer ("and", "988") are never matched alone. A query also belongs
to a topic when it holds a distinctive word of the topic's name ("crisis" for
"Crisis services and 988"; common words such as "health", "mental", "care" or
"services" do not count). A query can belong to several topics, or to none
(listed as "not matched to a topic").

Freshness: the share of each topic's live public resources whose next review
date has passed.
"""

import re
from collections import Counter, defaultdict

from django.db.models import Min, Sum

from .periods import hub_today

THIN = 2
MATRICES = [
    ("population", "Topics by population", "populations"),
    ("type", "Topics by resource type", "types"),
    ("evidence", "Topics by evidence level", "evidence"),
]
MATRIX_LABELS = {key: label for key, label, _ in MATRICES}


def level(count):
    if count == 0:
        return "empty"
    if count <= THIN:
        return "thin"
    return "covered"


def heat(count, top):
    """0-4, for the cell's colour class; the count and word say the same in text."""
    if count == 0 or not top:
        return 0
    return min(4, 1 + int(3 * count / top))


def library_url():
    from knowledge.models import ResourceIndexPage

    library = ResourceIndexPage.objects.live().public().order_by("path").first()
    return (library.url if library else None) or "/resources/"


def _vocabularies():
    from hub.models import EvidenceLevel, Population, ResourceType, Topic

    def terms(model):
        return [{"slug": t.slug, "name": t.name, "id": t.pk} for t in model.objects.order_by("name")]

    return {
        "topics": terms(Topic),
        "populations": terms(Population),
        "types": terms(ResourceType),
        "evidence": terms(EvidenceLevel),
    }


def supply():
    """Counts of live public resources: ``{"resources", "matrices", "topic_totals", "overdue"}``."""
    from knowledge.models import ResourcePage

    vocab = _vocabularies()
    resources = ResourcePage.objects.live().public()
    rows = list(resources.values_list("pk", "resource_type_id", "evidence_level_id", "next_review_due"))
    ids = [pk for pk, *_ in rows]
    topics_of = defaultdict(set)
    for page_id, topic_id in ResourcePage.topics.through.objects.filter(resourcepage_id__in=ids).values_list(
        "resourcepage_id", "topic_id"
    ):
        topics_of[page_id].add(topic_id)
    populations_of = defaultdict(set)
    for page_id, population_id in ResourcePage.populations.through.objects.filter(
        resourcepage_id__in=ids
    ).values_list("resourcepage_id", "population_id"):
        populations_of[page_id].add(population_id)

    slug = {name: {t["id"]: t["slug"] for t in vocab[name]} for name in vocab}
    matrices = {key: defaultdict(Counter) for key, _, _ in MATRICES}
    topic_totals, overdue = Counter(), Counter()
    today = hub_today()
    for page_id, type_id, evidence_id, next_review in rows:
        for topic_id in topics_of[page_id]:
            topic = slug["topics"].get(topic_id)
            topic_totals[topic] += 1
            if next_review and next_review < today:
                overdue[topic] += 1
            for population_id in populations_of[page_id]:
                matrices["population"][topic][slug["populations"][population_id]] += 1
            if type_id:
                matrices["type"][topic][slug["types"][type_id]] += 1
            if evidence_id:
                matrices["evidence"][topic][slug["evidence"][evidence_id]] += 1
    return {
        "resources": len(rows),
        "matrices": {key: {t: dict(c) for t, c in matrix.items()} for key, matrix in matrices.items()},
        "topic_totals": dict(topic_totals),
        "overdue": dict(overdue),
        "vocabularies": {
            name: [{"slug": t["slug"], "name": t["name"]} for t in terms] for name, terms in vocab.items()
        },
    }


def _words(text):
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def topic_terms():
    """``{topic slug: set of terms}`` used to match searches to topics."""
    from hub.models import Topic
    from search.synonyms import synonym_groups

    groups = [[_words(term) for term in group] for group in synonym_groups()]
    result = {}
    for topic in Topic.objects.all():
        terms = {_words(topic.name), _words(topic.slug.replace("-", " "))}
        for group in groups:
            if terms & set(group):
                terms |= set(group)
        result[topic.slug] = ({term for term in terms if len(term) > 3}, distinctive_words(topic.name))
    return result


GENERIC_WORDS = {
    "and",
    "based",
    "care",
    "community",
    "disorder",
    "disorders",
    "health",
    "informed",
    "mental",
    "people",
    "services",
    "the",
    "use",
    "with",
}


def distinctive_words(name):
    return {word for word in _words(name).split() if len(word) > 3 and word not in GENERIC_WORDS}


def _contains(text, part):
    return f" {part} " in f" {text} "


def match_topics(query, terms_by_topic):
    query = _words(query)
    if len(query) <= 3:
        return []
    query_words = set(query.split())
    return [
        slug
        for slug, (terms, words) in terms_by_topic.items()
        if query_words & words or any(_contains(query, term) or _contains(term, query) for term in terms)
    ]


def _new_demand_entry():
    return {"searches": 0, "no_results": 0, "few_results": 0, "suggestions": 0, "queries": Counter()}


def demand(period):
    """``{"topics": {slug: {"searches", "no_results", "few_results", "suggestions", "queries"}},
    "unmatched": [...]}``; ``queries`` (and ``unmatched``) are the searches that
    found nothing or little, most frequent first."""
    from wagtail.models import Revision

    from knowledge.models import ResourcePage
    from search.models import SearchDailyStat

    terms = topic_terms()
    per_topic = defaultdict(_new_demand_entry)
    unmatched = Counter()
    rows = (
        SearchDailyStat.objects.filter(**period.dates("date"))
        .values("query")
        .annotate(
            total=Sum("searches"),
            without=Sum("searches_without_results"),
            few=Sum("searches_with_few_results"),
        )
    )
    for row in rows:
        topics = match_topics(row["query"], terms)
        unmet = row["without"] + row["few"]
        for slug in topics:
            entry = per_topic[slug]
            entry["searches"] += row["total"]
            entry["no_results"] += row["without"]
            entry["few_results"] += row["few"]
            if unmet:
                entry["queries"][row["query"]] += unmet
        if not topics and unmet:
            unmatched[row["query"]] += unmet

    suggestions = ResourcePage.objects.filter(suggested_by__isnull=False)
    first_revision = dict(
        Revision.page_revisions.filter(
            object_id__in=[str(pk) for pk in suggestions.values_list("pk", flat=True)]
        )
        .values_list("object_id")
        .annotate(first=Min("created_at"))
    )
    in_period = [
        int(pk)
        for pk, created in first_revision.items()
        if period.start_moment <= created < period.end_moment
    ]
    for _page_id, topic_slug in ResourcePage.topics.through.objects.filter(
        resourcepage_id__in=in_period
    ).values_list("resourcepage_id", "topic__slug"):
        per_topic[topic_slug]["suggestions"] += 1
    return {
        "topics": {
            slug: {**entry, "queries": [q for q, _n in entry["queries"].most_common(5)]}
            for slug, entry in per_topic.items()
        },
        "unmatched": [q for q, _n in unmatched.most_common(10)],
    }


def analysis(period):
    """Everything the gap analysis page shows and a snapshot keeps."""
    data = supply()
    data["demand"] = demand(period)
    data["period"] = {"start": period.start.isoformat(), "end": period.end.isoformat()}
    return data


# --- presenting a saved or computed analysis --------------------------------------------


def matrix_view(data, key, link_base=None):
    """Rows of cells for one matrix: each with count, level, heat and link."""
    _key, label, columns_name = next(m for m in MATRICES if m[0] == key)
    columns = data["vocabularies"][columns_name]
    matrix = data["matrices"][key]
    top = max((n for row in matrix.values() for n in row.values()), default=0)
    rows = []
    for topic in data["vocabularies"]["topics"]:
        cells = []
        for column in columns:
            count = matrix.get(topic["slug"], {}).get(column["slug"], 0)
            url = f"{link_base}?topic={topic['slug']}&{key}={column['slug']}" if link_base else ""
            cells.append(
                {
                    "count": count,
                    "level": level(count),
                    "heat": heat(count, top),
                    "url": url,
                    "column": column["name"],
                }
            )
        rows.append({"topic": topic, "cells": cells, "total": data["topic_totals"].get(topic["slug"], 0)})
    return {"key": key, "label": label, "columns": columns, "rows": rows}


def few_results_range():
    from search.models import SearchDailyStat

    return f"1 to {SearchDailyStat.FEW_RESULTS} results"


def topic_rows(data):
    """Demand beside supply and freshness, one row per topic."""
    rows = []
    demand_by_topic = data.get("demand", {}).get("topics", {})
    for topic in data["vocabularies"]["topics"]:
        total = data["topic_totals"].get(topic["slug"], 0)
        overdue = data["overdue"].get(topic["slug"], 0)
        entry = demand_by_topic.get(topic["slug"], {})
        rows.append(
            {
                "topic": topic,
                "resources": total,
                "level": level(total),
                "searches": entry.get("searches", 0),
                "no_results": entry.get("no_results", 0),
                # Snapshots taken before few results were recorded have none.
                "few_results": entry.get("few_results", 0),
                "queries": entry.get("queries", []),
                "suggestions": entry.get("suggestions", 0),
                "overdue": overdue,
                "overdue_share": round(100 * overdue / total) if total else 0,
            }
        )
    return rows


def compare(older, newer):
    """Cells of every matrix, sorted into filled (empty then, covered now),
    still missing (empty in both), emptied (had resources, now none)."""
    result = []
    for key, label, columns_name in MATRICES:
        topics = {
            t["slug"]: t["name"] for t in older["vocabularies"]["topics"] + newer["vocabularies"]["topics"]
        }
        columns = {
            c["slug"]: c["name"]
            for c in older["vocabularies"][columns_name] + newer["vocabularies"][columns_name]
        }
        filled, missing, emptied = [], [], []
        for topic_slug, topic_name in sorted(topics.items(), key=lambda item: item[1]):
            for column_slug, column_name in sorted(columns.items(), key=lambda item: item[1]):
                before = older["matrices"].get(key, {}).get(topic_slug, {}).get(column_slug, 0)
                after = newer["matrices"].get(key, {}).get(topic_slug, {}).get(column_slug, 0)
                cell = {"topic": topic_name, "column": column_name, "before": before, "after": after}
                if before == 0 and after > 0:
                    filled.append(cell)
                elif before == 0 and after == 0:
                    missing.append(cell)
                elif before > 0 and after == 0:
                    emptied.append(cell)
        result.append({"key": key, "label": label, "filled": filled, "missing": missing, "emptied": emptied})
    return result


def snapshot_rows(data):
    """The CSV rows of a snapshot: one per matrix cell, then one per topic."""
    rows = [["Section", "Topic", "Column", "Count"]]
    for key, label, _columns in MATRICES:
        view = matrix_view(data, key)
        for row in view["rows"]:
            for cell in row["cells"]:
                rows.append([label, row["topic"]["name"], cell["column"], cell["count"]])
    for row in topic_rows(data):
        name = row["topic"]["name"]
        rows.append(["Resources", name, "live public resources", row["resources"]])
        rows.append(["Demand", name, "searches", row["searches"]])
        rows.append(["Demand", name, "searches with no results", row["no_results"]])
        rows.append(
            ["Demand", name, f"searches that found little ({few_results_range()})", row["few_results"]]
        )
        rows.append(["Demand", name, "member suggestions", row["suggestions"]])
        rows.append(["Freshness", name, "overdue for review", row["overdue"]])
    return rows


def take_snapshot(period, label="", user=None):
    from .models import GapSnapshot

    return GapSnapshot.objects.create(
        taken_on=hub_today(), label=label, created_by=user, data=analysis(period)
    )
