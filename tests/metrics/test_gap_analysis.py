"""The coverage matrices, demand beside supply, freshness, and snapshots."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageViewRestriction

from hub.models import Population, Topic
from metrics import gaps
from metrics.models import GapSnapshot
from metrics.periods import last_days
from search.models import SearchDailyStat

pytestmark = pytest.mark.django_db


@pytest.fixture
def resources(make_resource, make_user):
    past = timezone.localdate() - datetime.timedelta(days=10)
    a = make_resource("A", topics=["crisis-services"], populations=["youth"], next_review_due=past)
    a.last_reviewed = None
    a.save()
    make_resource(
        "B", topics=["crisis-services"], populations=["youth", "veterans"], type="guide", evidence="strong"
    )
    make_resource("C", topics=["telehealth"], type="toolkit")
    draft = make_resource("Draft", topics=["crisis-services"], populations=["youth"])
    draft.unpublish()
    private = make_resource("Members only", topics=["crisis-services"], populations=["youth"])
    restriction = PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.set(Group.objects.filter(name="Members"))
    return a


def cell(view, topic_slug, column_slug):
    row = next(r for r in view["rows"] if r["topic"]["slug"] == topic_slug)
    index = [c["slug"] for c in view["columns"]].index(column_slug)
    return row["cells"][index]


def test_matrices_count_live_public_resources_only(resources, library):
    data = gaps.supply()
    assert data["resources"] == 3
    view = gaps.matrix_view(data, "population", library.url)
    assert cell(view, "crisis-services", "youth")["count"] == 2
    veterans = cell(view, "crisis-services", "veterans")
    assert (veterans["count"], veterans["level"]) == (1, "thin")
    empty = cell(view, "telehealth", "youth")
    assert (empty["count"], empty["level"]) == (0, "empty")
    assert empty["url"] == f"{library.url}?topic=telehealth&population=youth"
    types = gaps.matrix_view(data, "type")
    assert cell(types, "crisis-services", "toolkit")["count"] == 1
    assert cell(types, "telehealth", "toolkit")["count"] == 1
    assert cell(gaps.matrix_view(data, "evidence"), "crisis-services", "strong")["count"] == 1


def test_a_cell_links_to_the_library_filtered_to_it(resources, library, steering_client, client):
    html = steering_client.get(reverse("metrics_gap_analysis")).content.decode()
    link = f"{library.url}?topic=crisis-services&amp;population=youth"
    assert f'href="{link}"' in html
    listing = client.get(link.replace("&amp;", "&"))
    assert listing.context["library"].total == 2


def test_empty_and_thin_cells_say_so_in_words_not_only_colour(resources, steering_client):
    html = steering_client.get(reverse("metrics_gap_analysis")).content.decode()
    assert 'metrics-empty"><a' in html and '<span class="metrics-flag">empty</span>' in html
    assert '<span class="metrics-flag">thin</span>' in html


def test_searches_are_matched_to_topics_by_name_words_and_synonyms():
    terms = gaps.topic_terms()
    assert "crisis-services" in gaps.match_topics("crisis lines", terms)
    assert "telehealth" in gaps.match_topics(
        "telemental health rural", terms
    ) or "telehealth" in gaps.match_topics("telehealth", terms)
    assert gaps.match_topics("annual budget", terms) == []
    assert gaps.match_topics("zz", terms) == []


def search(days_ago, query, searches, nothing=0, little=0):
    SearchDailyStat.objects.create(
        date=timezone.localdate() - datetime.timedelta(days=days_ago),
        query=query,
        searches=searches,
        searches_without_results=nothing,
        searches_with_few_results=little,
    )


def test_demand_beside_supply_per_topic(resources, make_user, library):
    search(0, "crisis lines", 4, nothing=3)
    search(0, "crisis", 6, little=2)
    search(29, "mobile crisis teams", 5, nothing=1, little=4)
    search(30, "crisis", 9, little=5)  # the day before the period
    search(0, "qwertyuiop", 2, nothing=2)
    search(3, "asdfghjkl", 1, little=1)
    suggestion = gaps_resource("Crisis text line study", make_user("member", "Members"))
    suggestion.topics = [Topic.objects.get(slug="crisis-services")]
    library.add_child(instance=suggestion)
    suggestion.save_revision(clean=False)
    data = gaps.analysis(last_days(30))
    crisis = next(r for r in gaps.topic_rows(data) if r["topic"]["slug"] == "crisis-services")
    assert crisis["resources"] == 2
    assert (crisis["searches"], crisis["no_results"], crisis["few_results"]) == (15, 4, 6)
    # What they searched for that found nothing or little, most often first.
    assert crisis["queries"] == ["mobile crisis teams", "crisis lines", "crisis"]
    assert crisis["suggestions"] == 1
    assert (crisis["overdue"], crisis["overdue_share"]) == (1, 50)
    assert data["demand"]["unmatched"] == ["qwertyuiop", "asdfghjkl"]
    telehealth = next(r for r in gaps.topic_rows(data) if r["topic"]["slug"] == "telehealth")
    assert (telehealth["searches"], telehealth["no_results"], telehealth["few_results"]) == (0, 0, 0)


def test_the_page_shows_searches_that_found_nothing_or_little_beside_supply(resources, steering_client):
    search(0, "crisis lines", 4, nothing=3)
    search(1, "crisis", 6, little=2)
    html = steering_client.get(reverse("metrics_gap_analysis")).content.decode()
    table = html.split('id="demand"')[1].split("</table>")[0]
    headers = [
        "Topic",
        "Live public resources",
        "Searches",
        "Found nothing",
        "Found little",
        "Searches that found nothing or little",
    ]
    assert "".join(f'<th scope="col">{header}</th>' for header in headers) in table
    crisis = Topic.objects.get(slug="crisis-services").name
    row = table.split(f'<th scope="row">{crisis}</th>')[1].split("</tr>")[0]
    cells = [cell.split("</td>")[0].strip() for cell in row.split("<td")[1:]]
    assert [cell.split(">", 1)[1] for cell in cells[1:5]] == ["10", "3", "2", "crisis lines, crisis"]
    assert "<em>Found little</em> means 1 to 3 results" in html


def test_snapshots_from_before_few_results_were_recorded_read_as_none(resources):
    data = gaps.analysis(last_days(30))
    data["demand"]["topics"] = {"crisis-services": {"searches": 4, "no_results": 1, "queries": ["x"]}}
    crisis = next(r for r in gaps.topic_rows(data) if r["topic"]["slug"] == "crisis-services")
    assert (crisis["searches"], crisis["no_results"], crisis["few_results"]) == (4, 1, 0)


def gaps_resource(title, user):
    from knowledge.models import ResourcePage

    return ResourcePage(
        title=title,
        summary="Why",
        suggested_by=user,
        live=False,
        has_unpublished_changes=True,
        resource_type=None,
    )


def test_snapshot_command_saves_the_matrix_and_figures(resources):
    out = io.StringIO()
    call_command("snapshot_gap_analysis", "--label", "Study 2026", stdout=out)
    snapshot = GapSnapshot.objects.get()
    assert snapshot.label == "Study 2026" and snapshot.taken_on == timezone.localdate()
    assert snapshot.data["resources"] == 3
    assert snapshot.data["matrices"]["population"]["crisis-services"]["youth"] == 2
    assert "3 resources" in out.getvalue()


def test_steering_saves_a_snapshot_with_the_button(resources, steering_client, steering):
    response = steering_client.post(reverse("metrics_take_snapshot"), {"label": "Mid-term"})
    assert response.status_code == 302
    snapshot = GapSnapshot.objects.get()
    assert (snapshot.label, snapshot.created_by) == ("Mid-term", steering)


def test_comparison_shows_filled_and_still_missing_cells(resources, steering_client):
    newer = gaps.take_snapshot(last_days(30), label="Now")
    older_data = gaps.analysis(last_days(30))
    del older_data["matrices"]["population"]["crisis-services"]["veterans"]
    older = GapSnapshot.objects.create(taken_on=datetime.date(2024, 11, 1), label="Then", data=older_data)
    comparison = {section["key"]: section for section in gaps.compare(older.data, newer.data)}
    veterans = Population.objects.get(slug="veterans").name
    crisis = Topic.objects.get(slug="crisis-services").name
    youth = Population.objects.get(slug="youth").name
    telehealth = Topic.objects.get(slug="telehealth").name
    filled = [(c["topic"], c["column"]) for c in comparison["population"]["filled"]]
    missing = [(c["topic"], c["column"]) for c in comparison["population"]["missing"]]
    assert filled == [(crisis, veterans)]
    assert (telehealth, youth) in missing and (crisis, youth) not in missing
    # The page puts the earlier study first whichever order they are chosen in.
    html = steering_client.get(
        reverse("metrics_compare") + f"?older={newer.pk}&newer={older.pk}"
    ).content.decode()
    assert "1 cell filled" in html and "Filled since the earlier study" in html
    summary = html.split('id="comparison-summary"')[1].split("</p>")[0]
    assert summary.index("Then") < summary.index("Now")
    rows = list(
        csv.reader(
            io.StringIO(
                steering_client.get(
                    reverse("metrics_compare") + f"?older={older.pk}&newer={newer.pk}&export=csv"
                ).content.decode()
            )
        )
    )
    assert ["Topics by population", "filled", crisis, veterans, "0", "1"] in rows


def test_choosing_the_same_or_a_missing_snapshot_is_explained(resources, steering_client):
    snapshot = gaps.take_snapshot(last_days(30))
    same = steering_client.get(reverse("metrics_compare") + f"?older={snapshot.pk}&newer={snapshot.pk}")
    assert same.status_code == 200 and "Choose two different snapshots" in same.content.decode()
    missing = steering_client.get(reverse("metrics_compare") + "?older=999&newer=abc")
    assert missing.status_code == 200 and "Choose two saved snapshots" in missing.content.decode()


def test_a_snapshot_exports_as_csv(resources, steering_client):
    snapshot = gaps.take_snapshot(last_days(30), label="Study")
    response = steering_client.get(reverse("metrics_snapshot_csv", args=[snapshot.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    crisis = Topic.objects.get(slug="crisis-services").name
    youth = Population.objects.get(slug="youth").name
    assert rows[0] == ["Section", "Topic", "Column", "Count"]
    assert ["Topics by population", crisis, youth, "2"] in rows
    assert ["Freshness", crisis, "overdue for review", "1"] in rows
    assert ["Demand", crisis, "searches that found little (1 to 3 results)", "0"] in rows
