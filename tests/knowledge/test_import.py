"""import_resources: create or update by stable id, report bad rows by line,
refuse bad files whole, and never half-import."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from hub.models import Population, Topic
from knowledge.importer import ImportFileError, ResourceImporter
from knowledge.models import ResourcePage

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "sample_resources.csv"
HEADER = "id,title,publisher,year,resource_type,topics,populations,evidence_level,url,summary\n"


def run(text, library, publish=True):
    return ResourceImporter(index_page=library, publish=publish).run(io.StringIO(text))


def call(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_resources", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_importing_the_sample_file_twice_gives_the_same_library(library, tmp_path):
    out, err = call(SAMPLE, "--publish")
    assert "created 48, updated 0, unchanged 0, rejected 0" in out
    first = sorted(ResourcePage.objects.values_list("external_id", "title", "live", "url_path"))
    revisions = sum(p.revisions.count() for p in ResourcePage.objects.all())
    out, err = call(SAMPLE, "--publish")
    assert "created 0, updated 0, unchanged 48, rejected 0" in out
    assert sorted(ResourcePage.objects.values_list("external_id", "title", "live", "url_path")) == first
    assert sum(p.revisions.count() for p in ResourcePage.objects.all()) == revisions
    assert len(first) == 48 and all(live for _id, _t, live, _u in first)


def test_imported_resources_carry_their_classification(library):
    call(SAMPLE, "--publish")
    page = ResourcePage.objects.get(external_id="s001")
    assert page.resource_type.slug == "guide"
    assert page.evidence_level.slug == "expert-consensus"
    assert page.publication_year == 2018
    assert page.publisher == "SAMHSA"
    assert "American Indian/Alaska Native" in {p.name for p in page.populations.all()}
    assert {"Cultural responsiveness", "Historical trauma"} <= {t.name for t in page.topics.all()}
    assert page.live_revision_id and not page.has_unpublished_changes
    assert page.next_review_due is not None


def test_new_topics_and_populations_join_the_taxonomy_once(library):
    text = HEADER + (
        'x1,One,Pub,2020,toolkit,Brand new topic;health equity,New people,moderate,https://a.org/1,"Sum"\n'
        'x2,Two,Pub,2021,guide,brand new topic,new people;youth,strong,https://a.org/2,"Sum"\n'
    )
    report = run(text, library)
    assert report.created == 2
    assert Topic.objects.filter(name__iexact="brand new topic").count() == 1
    assert Population.objects.filter(name__iexact="new people").count() == 1
    assert ResourcePage.objects.get(external_id="x2").topics.get().name == "Brand new topic"


def test_bad_rows_are_reported_by_line_and_good_rows_still_import(library, tmp_path):
    text = HEADER + (
        "ok1,Fine,Pub,2020,toolkit,peer support,,moderate,https://a.org,Summary one\n"
        "bad1,Unknown type,Pub,2020,podcast,peer support,,moderate,https://a.org,Summary\n"
        'bad2,"Multi\nline title",Pub,2020,toolkit,peer support,,gold-standard,https://a.org,Summary\n'
        "bad3,No summary,Pub,2020,toolkit,peer support,,moderate,https://a.org,\n"
        "bad4,Bad year,Pub,twenty,toolkit,peer support,,moderate,https://a.org,Summary\n"
        "bad5,Bad url,Pub,2020,toolkit,peer support,,moderate,javascript:alert(1),Summary\n"
        "ok1,Duplicate id,Pub,2020,toolkit,peer support,,moderate,https://a.org,Summary\n"
        "short,row\n"
    )
    path = tmp_path / "bad.csv"
    path.write_text(text)
    out, err = call(path, "--publish")
    assert "created 1, updated 0, unchanged 0, rejected 7" in out
    assert "Line 3: rejected: unknown resource type “podcast”" in err
    assert "Line 4: rejected: unknown evidence level “gold-standard”" in err
    assert "Line 6: rejected: summary is empty" in err
    assert "Line 7: rejected: year “twenty” is not a year" in err
    assert "Line 8: rejected: url" in err
    assert "Line 9: rejected: id ok1 already appears on line 2" in err
    assert "Line 10: rejected: expected 10 columns, found 2" in err
    assert list(ResourcePage.objects.values_list("external_id", flat=True)) == ["ok1"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "not"),
        (b"name,email\nA,b@c.org\n", "missing the required column(s): id, title"),
        ("id,title\n".encode("utf-16"), "not"),
    ],
)
def test_files_that_are_not_the_expected_csv_are_refused_whole(library, tmp_path, content, message):
    path = tmp_path / "input.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError, match="Nothing was imported") as error:
        call(path, "--publish")
    assert message in str(error.value)
    assert not ResourcePage.objects.exists()


def test_missing_file_is_a_clear_error(library, tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call(tmp_path / "nope.csv")


def test_a_failure_midway_leaves_nothing_half_imported(library, monkeypatch):
    def failing_index(self, page_ids):
        assert ResourcePage.objects.count() == 48  # everything was written...
        raise RuntimeError("search index unavailable")

    monkeypatch.setattr(ResourceImporter, "index", failing_index)
    with pytest.raises(RuntimeError):
        run(SAMPLE.read_text(), library)
    # ...and all of it rolled back, new vocabulary terms included.
    assert not ResourcePage.objects.exists()
    assert not Topic.objects.filter(name="Historical trauma").exists()
    library.refresh_from_db()
    assert library.numchild == 0


def test_without_publish_resources_are_drafts_and_live_pages_keep_their_content(library):
    run(
        HEADER + "d1,Draft one,Pub,2020,toolkit,,,moderate,https://a.org,First summary\n",
        library,
        publish=False,
    )
    page = ResourcePage.objects.get(external_id="d1")
    assert not page.live
    run(
        HEADER + "d1,Draft one,Pub,2020,toolkit,,,moderate,https://a.org,First summary\n",
        library,
        publish=True,
    )
    page.refresh_from_db()
    assert page.live
    run(
        HEADER + "d1,Draft one,Pub,2020,toolkit,,,moderate,https://a.org,Changed summary\n",
        library,
        publish=False,
    )
    page.refresh_from_db()
    assert page.summary == "First summary"
    assert page.has_unpublished_changes
    assert page.get_latest_revision_as_object().summary == "Changed summary"


def test_published_imports_are_searchable(library):
    run(SAMPLE.read_text(), library)
    found = ResourcePage.objects.live().search("tribal behavioral health agenda", operator="or")
    assert "The National Tribal Behavioral Health Agenda" in [p.title for p in found]


def test_optional_language_and_body_columns(library):
    text = (
        "id,title,publisher,year,resource_type,topics,populations,evidence_level,url,summary,language,body\n"
        "l1,Guía,Pub,2022,guide,,,emerging,https://a.org,Resumen,es,"
        '"Primer párrafo.\n\nSegundo <b>párrafo</b>."\n'
    )
    run(text, library)
    page = ResourcePage.objects.get(external_id="l1")
    assert page.language == "es"
    html = str(page.body)
    assert "Primer párrafo." in html and "&lt;b&gt;" in html


def test_there_must_be_a_library_to_import_into(home_page):
    with pytest.raises(ImportFileError, match="no resource library"):
        ResourceImporter()


def test_reimporting_the_same_file_as_drafts_adds_no_revisions(library):
    row = HEADER + "d9,Draft nine,Pub,2020,toolkit,peer support,,moderate,https://a.org,Same summary\n"
    run(row, library, publish=False)
    page = ResourcePage.objects.get(external_id="d9")
    revisions = page.revisions.count()
    report = run(row, library, publish=False)
    assert (report.unchanged, report.updated) == (1, 0)
    assert page.revisions.count() == revisions


def test_overlong_values_are_rejected_by_line_not_crashing_the_import(library):
    long_topic = "t" * 130
    text = HEADER + (
        f"a1,One,Pub,2020,toolkit,{long_topic},,moderate,https://a.org,Sum\n"
        f"a2,Two,Pub,2020,toolkit,{long_topic},,moderate,https://a.org,Sum\n"
        f"a3,Three,Pub,2020,toolkit,,,moderate,https://a.org/{'x' * 600},Sum\n"
        "a4,Four,Pub,²,toolkit,,,moderate,https://a.org,Sum\n"
        "a5,Five,Pub,2021,toolkit,,,moderate,https://a.org,Sum\n"
    )
    report = run(text, library)
    assert [line for line, _reason in report.rejected] == [2, 3, 4, 5]
    assert "longer than 120 characters" in report.rejected[0][1]
    assert "url is longer than 500 characters" in report.rejected[2][1]
    assert "is not a year" in report.rejected[3][1]
    assert report.created == 1


def test_one_importer_can_run_two_files(library):
    importer = ResourceImporter(index_page=library, publish=True)
    importer.run(io.StringIO(HEADER + "r1,One,Pub,2020,toolkit,,,moderate,https://a.org,Sum\n"))
    importer.run(io.StringIO(HEADER + "r2,Two,Pub,2020,toolkit,,,moderate,https://a.org,Sum\n"))
    library.refresh_from_db()
    assert library.numchild == 2
    assert sorted(ResourcePage.objects.values_list("external_id", flat=True)) == ["r1", "r2"]


def test_an_import_during_a_search_and_mail_outage_completes_and_queues_its_index_writes(library, home_page):
    from django.test import override_settings

    from search.models import IndexQueueItem
    from tests.hub.faulty_services import FaultySMTPServer
    from tests.search.outage import OUTAGE

    with FaultySMTPServer("refuse") as smtp, override_settings(MAILERS=smtp.mailers(timeout=1)), OUTAGE:
        report = run(SAMPLE.read_text(), library)
    assert report.created == 48 and not report.rejected
    imported = ResourcePage.objects.filter(external_id__isnull=False).live()
    assert imported.count() == 48
    # Every imported page waits in the outage queue for Elasticsearch, and the
    # database backend (the fallback during the outage, the default here) has them.
    queued = set(
        IndexQueueItem.objects.filter(content_type__model="resourcepage").values_list("object_id", flat=True)
    )
    assert queued == {str(pk) for pk in imported.values_list("pk", flat=True)}
    found = ResourcePage.objects.live().search("tribal behavioral health agenda", operator="or")
    assert "The National Tribal Behavioral Health Agenda" in [p.title for p in found]
