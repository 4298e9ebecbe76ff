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
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify
from wagtail.models import PageLogEntry
from wagtail.search.backends import get_search_backends
from wagtail.signal_handlers import disable_reference_index_auto_update

from hub.cache import purge_page_cache
from hub.models import EvidenceLevel, Population, ResourceType, Topic

from .models import LANGUAGE_CHOICES, ResourceIndexPage, ResourcePage

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
    def __init__(self, index_page=None, publish=False, user=None):
        self.index_page = index_page or ResourceIndexPage.objects.order_by("path").first()
        if self.index_page is None:
            raise ImportFileError("There is no resource library page to import into; create one first.")
        self.publish = publish
        self.user = user
        self.url_validator = URLValidator(schemes=["http", "https"])

    def run(self, handle):
        report = ImportReport()
        imported_ids = []
        rows = list(read_rows(handle))  # header problems raise before anything changes
        with transaction.atomic(), self._bulk_mode():
            self.topics = Vocabulary(Topic, create_missing=True)
            self.populations = Vocabulary(Population, create_missing=True)
            self.types = Vocabulary(ResourceType, create_missing=False)
            self.levels = Vocabulary(EvidenceLevel, create_missing=False)
            existing = {
                page.external_id: page
                for page in ResourcePage.objects.filter(external_id__isnull=False).only("pk", "external_id")
            }
            seen = {}
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
                    page = self.create(row)
                    report.created += 1
                elif self.is_unchanged(page.specific, row):
                    report.unchanged += 1
                    continue
                else:
                    page = self.update(page.specific, row)
                    report.updated += 1
                imported_ids.append(page.pk)
            self.index(imported_ids)
        purge_page_cache()
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
        if row["year"] and not (row["year"].isdigit() and 1800 < int(row["year"]) <= timezone.now().year + 1):
            return f"year “{row['year']}” is not a year"
        if not row["resource_type"] or self.types.find(row["resource_type"]) is None:
            return f"unknown resource type “{row['resource_type']}”"
        if not row["evidence_level"] or self.levels.find(row["evidence_level"]) is None:
            return f"unknown evidence level “{row['evidence_level']}”"
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
            return False
        for name, value in self.fields(row).items():
            current = getattr(page, name)
            if name == "body":
                if [(b.block_type, b.value.source) for b in current] != [(t, v) for t, v in value]:
                    return False
            elif current != value:
                return False
        topics, populations = self.terms(row)
        return {t.pk for t in topics} == set(page.topics.values_list("pk", flat=True)) and {
            p.pk for p in populations
        } == set(page.populations.values_list("pk", flat=True))

    def create(self, row):
        now = timezone.now()
        page = ResourcePage(external_id=row["id"], slug=self.unique_slug(row["title"]), **self.fields(row))
        page.topics, page.populations = self.terms(row)
        page.last_reviewed = timezone.localdate()
        if self.publish:
            page.live = True
            page.first_published_at = page.last_published_at = now
        else:
            page.live = False
        self.index_page.add_child(instance=page)
        self.save_revision(page, created=True)
        return page

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
        self.save_revision(page, created=False)
        return page

    def save_revision(self, page, created):
        revision = page.save_revision(user=self.user, log_action=False, clean=False, changed=True)
        updates = {"latest_revision": revision, "draft_title": page.title}
        if self.publish:
            updates.update(live_revision=revision, has_unpublished_changes=False)
        type(page).objects.filter(pk=page.pk).update(**updates)
        PageLogEntry.objects.log_action(
            page,
            "wagtail.publish" if self.publish else ("wagtail.create" if created else "wagtail.edit"),
            user=self.user,
            revision=revision,
            content_changed=True,
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
        for backend in get_search_backends():
            index = backend.get_index_for_model(ResourcePage)
            for start in range(0, len(page_ids), 500):
                chunk = page_ids[start : start + 500]
                objects = list(ResourcePage.get_indexed_objects().filter(pk__in=chunk))
                if objects:
                    index.add_items(ResourcePage, objects)

    @contextmanager
    def _bulk_mode(self):
        """Skip per-page search indexing and reference indexing; ``index`` does
        the search index in bulk at the end."""
        from modelsearch.signal_handlers import post_save_signal_handler

        disconnected = post_save.disconnect(post_save_signal_handler, sender=ResourcePage)
        try:
            with disable_reference_index_auto_update():
                yield
        finally:
            if disconnected:
                post_save.connect(post_save_signal_handler, sender=ResourcePage)
