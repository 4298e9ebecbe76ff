"""Importing resources from a CSV file into the library.

The file has the header ``id,title,publisher,year,resource_type,topics,
populations,evidence_level,url,summary`` (topics and populations separated by
``;``) and optional ``language`` and ``body`` columns. ``id`` is the resource's
stable external id: importing the same file again updates the same pages.

Good rows are imported and bad rows are reported by line number; the import as
a whole is one transaction, so an unexpected failure leaves nothing behind.
Pages are created directly in their final state (draft, or live with a
published revision) and indexed for search in bulk at the end, because going
through Wagtail's publish action page by page is too slow for ten thousand rows.
"""

import csv
import io
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.db.models import CharField, F, OuterRef, Subquery
from django.db.models.functions import Cast
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify
from wagtail.models import Page, PageLogEntry, Revision
from wagtail.search.backends import get_search_backends
from wagtail.signal_handlers import disable_reference_index_auto_update

from hub.audience import audience_for_path
from hub.cache import purge_page_cache
from hub.models import EvidenceLevel, Population, ResourceType, Topic
from hub.models.base_page import search_indexing_paused

from .models import LANGUAGE_CHOICES, ResourceIndexPage, ResourcePage
from .models.resource_page import REVIEW_CYCLE

REQUIRED_COLUMNS = [
    "id",
    "title",
    "publisher",
    "year",
    "resource_type",
    "topics",
    "populations",
    "evidence_level",
    "url",
    "summary",
]
OPTIONAL_COLUMNS = ["language", "body"]
LANGUAGE_BY_NAME = {name.lower(): code for code, name in LANGUAGE_CHOICES}
LANGUAGES = {code for code, _name in LANGUAGE_CHOICES} | set(LANGUAGE_BY_NAME)
MAX_FIELD = 100_000
TERM_MAX = 120
URL_MAX = 500
BATCH_SIZE = 500


class ImportFileError(Exception):
    """The file as a whole cannot be imported; nothing was changed."""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list = field(default_factory=list)  # (line number, reason)

    def summary(self):
        return (
            f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}, "
            f"rejected {len(self.rejected)}"
        )


class Vocabulary:
    """Taxonomy terms looked up by slug or name, case-insensitively; new topics and
    populations are added on first use."""

    def __init__(self, model, create_missing):
        self.model = model
        self.create_missing = create_missing
        self.by_key = {}
        for term in model.objects.all():
            self.by_key[term.slug] = term
            self.by_key[term.name.lower()] = term

    def find(self, value):
        value = " ".join(value.split())
        return self.by_key.get(value.lower()) or self.by_key.get(slugify(value))

    def get_or_add(self, value):
        term = self.find(value)
        if term is None and self.create_missing:
            value = " ".join(value.split())
            name = value[:1].upper() + value[1:]
            slug = slugify(value)[:120] or "term"
            base, n = slug, 2
            while self.model.objects.filter(slug=slug).exists():
                slug, n = f"{base[:110]}-{n}", n + 1
            term = self.model.objects.create(name=name[:120], slug=slug)
            self.by_key[term.slug] = term
            self.by_key[term.name.lower()] = term
        return term


def split_terms(value):
    return [part.strip() for part in value.split(";") if part.strip()]


def read_rows(handle):
    """Yield (line number, row dict) from an open text file, after checking the header."""
    try:
        text = handle.read()
    except UnicodeDecodeError as error:
        raise ImportFileError(
            f"The file is not UTF-8 text ({error.reason} at byte {error.start})."
        ) from error
    if "\x00" in text:
        raise ImportFileError("The file is not a CSV file: it contains binary data.")
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise ImportFileError("The file is empty.")
    csv.field_size_limit(MAX_FIELD)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [column.strip().lower() for column in next(reader)]
    except csv.Error as error:
        raise ImportFileError(f"The file is not a readable CSV file: {error}.") from error
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise ImportFileError(
            f"The file is missing the required column(s): {', '.join(missing)}. "
            f"The header must contain: {','.join(REQUIRED_COLUMNS)}."
        )
    rows = []
    line = reader.line_num + 1
    try:
        for values in reader:
            if any(v.strip() for v in values):
                rows.append((line, values))
            line = reader.line_num + 1
    except csv.Error as error:
        raise ImportFileError(f"The file is not a readable CSV file: line {line}: {error}.") from error
    for line, values in rows:
        if len(values) != len(header):
            yield line, None, f"expected {len(header)} columns, found {len(values)}"
            continue
        yield line, dict(zip(header, (v.strip() for v in values), strict=True)), None


class ResourceImporter:
    added_children = 0

    def __init__(self, index_page=None, publish=False, user=None):
        self.index_page = index_page or ResourceIndexPage.objects.order_by("path").first()
        if self.index_page is None:
            raise ImportFileError("There is no resource library page to import into; create one first.")
        self.publish = publish
        self.user = user
        self.url_validator = URLValidator(schemes=["http", "https"])
        self.log_entries = []
        self.timings = {}
        self.page_content_type = ContentType.objects.get_for_model(ResourcePage)
        self.base_content_type = ContentType.objects.get_for_model(Page)

    def run(self, handle):
        # One importer may run several files; nothing carries over between runs.
        self.log_entries, self.timings, self.added_children = [], {}, 0
        for leftover in ("_next_step", "_sibling_slugs"):
            self.__dict__.pop(leftover, None)
        report = ImportReport()
        imported_ids = []
        started = time.perf_counter()
        rows = list(read_rows(handle))  # header problems raise before anything changes
        with transaction.atomic(), self._bulk_mode():
            self.topics = Vocabulary(Topic, create_missing=True)
            self.populations = Vocabulary(Population, create_missing=True)
            self.types = Vocabulary(ResourceType, create_missing=False)
            self.levels = Vocabulary(EvidenceLevel, create_missing=False)
            existing = {
                page.external_id: page
                for page in ResourcePage.objects.filter(external_id__isnull=False)
                .select_related("resource_type", "evidence_level")
                .prefetch_related("topics", "populations")
            }
            seen = {}
            to_create = []
            for line, row, problem in rows:
                if problem is None:
                    problem = self.problem_with(row)
                if problem is None and row["id"] in seen:
                    problem = f"id {row['id']} already appears on line {seen[row['id']]}"
                if problem:
                    report.rejected.append((line, problem))
                    continue
                seen[row["id"]] = line
                page = existing.get(row["id"])
                if page is None:
                    to_create.append(row)
                elif self.is_unchanged(page, row):
                    report.unchanged += 1
                else:
                    imported_ids.append(self.update(page, row).pk)
                    report.updated += 1
            self.timings["read and compare"] = time.perf_counter() - started
            for start in range(0, len(to_create), BATCH_SIZE):
                imported_ids += self.create_batch(to_create[start : start + BATCH_SIZE])
            self.timings["write"] = time.perf_counter() - started - self.timings["read and compare"]
            report.created = len(to_create)
            PageLogEntry.objects.bulk_create(self.log_entries, batch_size=BATCH_SIZE)
            if self.added_children:
                Page.objects.filter(pk=self.index_page.pk).update(
                    numchild=F("numchild") + self.added_children
                )
            index_started = time.perf_counter()
            self.index(imported_ids)
            # Typo correction (database backend) chooses from the pages' words, new ones included.
            from search import vocabulary

            if vocabulary.in_use():
                vocabulary.rebuild()
            self.timings["search index"] = time.perf_counter() - index_started
        purge_page_cache()
        if self.publish and imported_ids and getattr(settings, "WAGTAILFRONTENDCACHE", None):
            # A CDN in front of the hub forgets the library and changed pages too.
            from wagtail.contrib.frontend_cache.utils import PurgeBatch

            batch = PurgeBatch()
            batch.add_pages([self.index_page, *ResourcePage.objects.filter(pk__in=imported_ids)])
            batch.purge()
        return report

    def problem_with(self, row):
        if not row["id"]:
            return "id is empty"
        if len(row["id"]) > 64:
            return "id is longer than 64 characters"
        if not row["title"]:
            return "title is empty"
        if len(row["title"]) > 255:
            return "title is longer than 255 characters"
        if not row["summary"]:
            return "summary is empty (every resource needs a plain-language summary)"
        if row["year"] and not (
            re.fullmatch(r"[12][0-9]{3}", row["year"]) and int(row["year"]) <= timezone.now().year + 1
        ):
            return f"year “{row['year'][:20]}” is not a year"
        if not row["resource_type"] or self.types.find(row["resource_type"]) is None:
            return f"unknown resource type “{row['resource_type']}”"
        if not row["evidence_level"] or self.levels.find(row["evidence_level"]) is None:
            return f"unknown evidence level “{row['evidence_level']}”"
        for column in ("topics", "populations"):
            too_long = [term for term in split_terms(row[column]) if len(term) > TERM_MAX]
            if too_long:
                return f"{column[:-1]} “{too_long[0][:40]}…” is longer than {TERM_MAX} characters"
        if len(row["url"]) > URL_MAX:
            return f"url is longer than {URL_MAX} characters"
        if len(row["publisher"]) > 255:
            return "publisher is longer than 255 characters"
        if row["url"]:
            try:
                self.url_validator(row["url"])
            except ValidationError:
                return f"url “{row['url'][:80]}” is not a web address"
        language = row.get("language", "") or "en"
        if language.lower() not in LANGUAGES:
            return f"unknown language “{language}”"
        return None

    def fields(self, row):
        language = (row.get("language") or "en").lower()
        body = row.get("body", "")
        return {
            "title": row["title"],
            "summary": row["summary"],
            "publisher": row["publisher"][:255],
            "publication_year": int(row["year"]) if row["year"] else None,
            "source_url": row["url"],
            "resource_type": self.types.find(row["resource_type"]),
            "evidence_level": self.levels.find(row["evidence_level"]),
            "language": LANGUAGE_BY_NAME.get(language, language),
            "body": [("paragraph", "".join(f"<p>{escape(p)}</p>" for p in body.split("\n\n") if p.strip()))]
            if body
            else [],
        }

    def terms(self, row):
        return (
            [self.topics.get_or_add(v) for v in split_terms(row["topics"])],
            [self.populations.get_or_add(v) for v in split_terms(row["populations"])],
        )

    def is_unchanged(self, page, row):
        """True when the live page already says what the row says (so importing the
        same file twice adds no revisions)."""
        if self.publish and (not page.live or page.has_unpublished_changes):
            return False
        if not self.publish and page.has_unpublished_changes:
            # A draft import compares with the latest draft, not the live page.
            page = page.get_latest_revision_as_object()
        for name, value in self.fields(row).items():
            current = getattr(page, name)
            if name == "body":
                if [(b.block_type, b.value.source) for b in current] != [(t, v) for t, v in value]:
                    return False
            elif current != value:
                return False
        topics, populations = self.terms(row)
        return {t.pk for t in topics} == {t.pk for t in page.topics.all()} and {
            p.pk for p in populations
        } == {p.pk for p in page.populations.all()}

    def create_batch(self, rows):
        """Create resources for already-validated rows, a batch at a time.

        Going through treebeard's add_child and Wagtail's save_revision costs about
        thirty queries a page; here each table gets one insert per batch. The
        pages end up exactly as Wagtail would leave them: in the tree, with a
        revision (live, when publishing) and a log entry."""
        now = timezone.now()
        parent = self.index_page
        audience = audience_for_path(parent.path)
        pages = []
        for row in rows:
            page = ResourcePage(
                external_id=row["id"],
                slug=self.unique_slug(row["title"]),
                draft_title=row["title"],
                locale_id=parent.locale_id,
                content_type_id=self.page_content_type.pk,
                depth=parent.depth + 1,
                path=self.next_child_path(),
                live=self.publish,
                has_unpublished_changes=not self.publish,
                first_published_at=now if self.publish else None,
                last_published_at=now if self.publish else None,
                last_reviewed=timezone.localdate(),
                latest_revision_created_at=now,
                owner=self.user,
                audience=audience,
                **self.fields(row),
            )
            page.url_path = f"{parent.url_path}{page.slug}/"
            page.next_review_due = page.last_reviewed + REVIEW_CYCLE
            pages.append(page)

        page_fields = [f for f in Page._meta.concrete_fields if not f.primary_key]
        base_rows = Page.objects.bulk_create(
            [Page(**{f.attname: getattr(page, f.attname) for f in page_fields}) for page in pages]
        )
        for page, base in zip(pages, base_rows, strict=True):
            page.pk = page.id = page.page_ptr_id = base.pk
        self._insert_child_rows(pages)

        topic_links, population_links = [], []
        Topics = ResourcePage.topics.through
        Populations = ResourcePage.populations.through
        for page, row in zip(pages, rows, strict=True):
            topics, populations = self.terms(row)
            topic_links += [Topics(resourcepage_id=page.pk, topic_id=t.pk) for t in dict.fromkeys(topics)]
            population_links += [
                Populations(resourcepage_id=page.pk, population_id=p.pk) for p in dict.fromkeys(populations)
            ]
            # In-memory relations, so serialising the revision needs no queries.
            page.topics, page.populations = topics, populations
            for relation in (
                "authors",
                "documents",
                "related_resources",
                "tagged_items",
                "wagtail_admin_comments",
            ):
                setattr(page, relation, [])
        Topics.objects.bulk_create(topic_links)
        Populations.objects.bulk_create(population_links)

        revisions = Revision.objects.bulk_create(
            [
                Revision(
                    content_type_id=self.page_content_type.pk,
                    base_content_type_id=self.base_content_type.pk,
                    object_id=str(page.pk),
                    created_at=now,
                    user=self.user,
                    object_str=page.title,
                    content=page.serializable_data(),
                )
                for page in pages
            ]
        )
        for page, revision in zip(pages, revisions, strict=True):
            page.latest_revision_id = revision.pk
            page.live_revision_id = revision.pk if self.publish else None
            self.log_entries.append(
                self.log_entry(page, revision, "wagtail.publish" if self.publish else "wagtail.create")
            )
        # Each new page has exactly one revision: point the page at it in one
        # statement per batch (bulk_update would build a CASE per row).
        own_revision = Subquery(
            Revision.objects.filter(
                base_content_type_id=self.base_content_type.pk, object_id=Cast(OuterRef("pk"), CharField())
            ).values("pk")[:1]
        )
        updates = {"latest_revision_id": own_revision}
        if self.publish:
            updates["live_revision_id"] = own_revision
        Page.objects.filter(pk__in=[page.pk for page in pages]).update(**updates)
        self.added_children += len(pages)
        return [page.pk for page in pages]

    def _insert_child_rows(self, pages):
        """Insert the resource table's own rows (Django cannot bulk-create a
        model that inherits from another table)."""
        fields = ResourcePage._meta.local_concrete_fields
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        table = connection.ops.quote_name(ResourcePage._meta.db_table)
        values = [[f.get_db_prep_save(f.pre_save(page, True), connection) for f in fields] for page in pages]
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", values)

    def log_entry(self, page, revision, action):
        return PageLogEntry(
            content_type_id=self.page_content_type.pk,
            page_id=page.pk,
            label=page.title[:255],
            action=action,
            user=self.user,
            revision=revision,
            content_changed=True,
            timestamp=timezone.now(),
        )

    def next_child_path(self):
        if not hasattr(self, "_next_step"):
            # Asked of the database: the library object may not know of pages
            # added since it was loaded.
            parent = self.index_page
            last = (
                Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
                .order_by("-path")
                .first()
            )
            self._next_step = ResourcePage._str2int(last.path[-ResourcePage.steplen :]) + 1 if last else 1
        path = ResourcePage._get_path(self.index_page.path, self.index_page.depth + 1, self._next_step)
        self._next_step += 1
        return path

    def update(self, page, row):
        for name, value in self.fields(row).items():
            setattr(page, name, value)
        page.topics, page.populations = self.terms(row)
        if self.publish:
            now = timezone.now()
            page.live = True
            page.first_published_at = page.first_published_at or now
            page.last_published_at = now
            page.save()
        else:
            # A draft update must not change what readers see: keep the live
            # row as it is and record the changes as a new draft revision.
            pass
        self.save_revision(page)
        return page

    def save_revision(self, page):
        revision = page.save_revision(user=self.user, log_action=False, clean=False, changed=True)
        updates = {"latest_revision": revision, "draft_title": page.title}
        if self.publish:
            updates.update(live_revision=revision, has_unpublished_changes=False)
        type(page).objects.filter(pk=page.pk).update(**updates)
        self.log_entries.append(
            self.log_entry(page, revision, "wagtail.publish" if self.publish else "wagtail.edit")
        )

    def unique_slug(self, title):
        base = slugify(title)[:200] or "resource"
        slug, n = base, 2
        siblings = self.sibling_slugs()
        while slug in siblings:
            slug, n = f"{base}-{n}", n + 1
        siblings.add(slug)
        return slug

    def sibling_slugs(self):
        if not hasattr(self, "_sibling_slugs"):
            self._sibling_slugs = set(self.index_page.get_children().values_list("slug", flat=True))
        return self._sibling_slugs

    def index(self, page_ids):
        # Through each backend's add_bulk, as every other index write: the hub's
        # Elasticsearch backend queues what it cannot take (search/indexing.py)
        # instead of aborting the import.
        for backend in get_search_backends():
            for start in range(0, len(page_ids), 500):
                chunk = page_ids[start : start + 500]
                objects = list(ResourcePage.get_indexed_objects().filter(pk__in=chunk))
                if objects:
                    backend.add_bulk(ResourcePage, objects)

    @contextmanager
    def _bulk_mode(self):
        """Skip per-page search indexing and reference indexing; ``index`` does
        the search index in bulk at the end."""
        from modelsearch.signal_handlers import post_save_signal_handler

        disconnected = post_save.disconnect(post_save_signal_handler, sender=ResourcePage)
        paused = search_indexing_paused.set(True)
        try:
            with disable_reference_index_auto_update():
                yield
        finally:
            search_indexing_paused.reset(paused)
            if disconnected:
                post_save.connect(post_save_signal_handler, sender=ResourcePage)
