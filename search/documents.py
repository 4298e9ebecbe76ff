"""What search knows about every live page it can return, held in memory.

Facet counts, facet filters, sorting by date, the members-only mark and
autocomplete all need a few facts about *every* matching page, not just the
ten shown. Asking the database for them on each search would cost one query
per facet over thousands of ids; instead each worker process keeps a compact
record per live searchable page, rebuilt when the page cache generation
changes (any publish, unpublish, move, privacy or vocabulary change). Building
it for 10,000 resources takes a few queries and a fraction of a second, once
per change per process.

Which pages are searchable: every page model built on ``BasePage`` that sets
``search_type`` (its label in results and the content facet). A model may set
``search_date_field`` (a date or datetime field, e.g. an event's start) for
sorting by newest and for the date shown; otherwise resources use their
publication year and other pages their first publication.
"""

import datetime
import re
import threading
from dataclasses import dataclass
from itertools import compress, count

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.text import slugify
from wagtail.models import Site

from hub.cache import current_generation

_lock = threading.Lock()
_built = {"generation": None, "index": None}


@dataclass(frozen=True, slots=True)
class Doc:
    key: tuple  # (content type id, page id)
    content: str  # slug of the content type, e.g. "resource"
    audience: str
    title: str
    summary: str  # what a result shows under the title
    url: str  # relative to the site, e.g. /resources/a-guide/
    title_lower: str
    topics: frozenset
    resource_type: str | None
    populations: frozenset
    evidence: str | None
    year: int | None
    date: datetime.date | datetime.datetime | None
    sort_key: float  # newest first sorts on this, descending


@dataclass(frozen=True)
class ContentKind:
    slug: str
    label: str
    model: type
    content_type_id: int


_serials = count(1)


class DocumentIndex:
    def __init__(self, kinds, docs):
        # Which build this is: answers remembered from another build (whose
        # bit sets count other positions) must not be used with this one.
        self.serial = next(_serials)
        self.kinds = kinds  # slug -> ContentKind
        self.docs = docs  # (ct id, pk) -> Doc
        self.kind_by_ct = {kind.content_type_id: kind for kind in kinds.values()}
        self.by_page_id = {doc.key[1]: doc for doc in docs.values()}
        self._visible = {}
        # Every record has a position, newest first; sets of records are
        # Python integers used as bit sets over these positions (see
        # ``bits_of``): counting a facet value among 10,000 matches is then
        # one AND and one bit count.
        self.order = sorted(docs.values(), key=lambda doc: (doc.sort_key, doc.key[1]), reverse=True)
        self.position = {doc.key: position for position, doc in enumerate(self.order)}
        self._visible_bits = {}
        self._value_bits = {}
        self.postings = None  # search.postings, built on first use on PostgreSQL
        # Word starts of every title, for suggestions as a person types:
        # the first two letters of each word -> the records holding it.
        self.by_word_start = {}
        for doc in docs.values():
            for word in set(re.findall(r"\w+", doc.title_lower)):
                self.by_word_start.setdefault(word[:2], []).append(doc)

    def get(self, key):
        return self.docs.get(key)

    def visible(self, allowed):
        """The records a person allowed these audiences may see (a new list)."""
        return list(self.visible_by_key(allowed).values())

    def bits_of(self, keys):
        """The bit set of these record keys (keys not in the index are left out)."""
        position = self.position
        return bits_at((position[key] for key in keys if key in position), len(self.order))

    def docs_at(self, bits):
        """The records of a bit set, newest first."""
        order = self.order
        return [order[position] for position in set_bits(bits)]

    def visible_bits(self, allowed):
        allowed = frozenset(allowed)
        found = self._visible_bits.get(allowed)
        if found is None:
            found = self.bits_of(self.visible_by_key(allowed))
            self._visible_bits[allowed] = found
        return found

    def value_bits(self, attribute, many):
        """Value -> bit set of the records holding it, for one record
        attribute (a facet); worked out once per index."""
        found = self._value_bits.get(attribute)
        if found is None:
            positions = {}
            for index, doc in enumerate(self.order):
                value = getattr(doc, attribute)
                for item in value if many else (value,):
                    if item is not None:
                        positions.setdefault(item, []).append(index)
            size = len(self.order)
            found = {value: bits_at(places, size) for value, places in positions.items()}
            self._value_bits[attribute] = found
        return found

    def visible_by_key(self, allowed):
        """Key -> record for the records of these audiences; worked out once
        per set of audiences for the life of this index (do not change it)."""
        allowed = frozenset(allowed)
        found = self._visible.get(allowed)
        if found is None:
            found = {key: doc for key, doc in self.docs.items() if doc.audience in allowed}
            self._visible[allowed] = found
        return found


_BINARY_DIGITS = bytes.maketrans(b"01", b"\x00\x01")


def bits_at(positions, size):
    """The bit set (a non-negative integer) with these positions set, over
    ``size`` records: built in a byte array, as shifting an integer of
    thousands of bits once per position would copy it each time."""
    data = bytearray((size + 7) // 8)
    for position in positions:
        data[position >> 3] |= 1 << (position & 7)
    return int.from_bytes(data, "little")


def set_bits(bits):
    """The positions of the set bits of a non-negative integer, in increasing
    order (all the looping done in C: some 0.3 ms for 5,000 of 12,000 bits)."""
    flags = format(bits, "b").encode().translate(_BINARY_DIGITS)[::-1]
    return list(compress(range(len(flags)), flags))


def searchable_models():
    from hub.models import BasePage

    return [
        model
        for model in apps.get_models()
        if issubclass(model, BasePage) and getattr(model, "search_type", None) and not model._meta.proxy
    ]


def content_kinds():
    kinds = {}
    for model in searchable_models():
        slug = slugify(model.search_type)
        ct = ContentType.objects.get_for_model(model)
        kinds[slug] = ContentKind(slug, model.search_type, model, ct.pk)
    return kinds


def _field_names(model):
    return {field.name for field in model._meta.get_fields()}


def _sort_key(value):
    if value is None:
        return 0.0
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    if isinstance(value, datetime.date):
        return datetime.datetime.combine(value, datetime.time(), tzinfo=datetime.UTC).timestamp()
    return float(value)


def _m2m(model, name, pks, slugs):
    """page id -> frozenset of term slugs for a ParentalManyToManyField."""
    field = model._meta.get_field(name)
    through = field.remote_field.through
    source = field.m2m_field_name()
    target = field.m2m_reverse_field_name()
    found = {}
    for page_id, term_id in through.objects.filter(**{f"{source}_id__in": pks}).values_list(
        f"{source}_id", f"{target}_id"
    ):
        found.setdefault(page_id, set()).add(slugs[term_id])
    return {pk: frozenset(terms) for pk, terms in found.items()}


def _relative_url(url_path, root_paths):
    for root in root_paths:
        if url_path.startswith(root):
            return "/" + url_path[len(root) :]
    return url_path


def build():
    from hub.models import EvidenceLevel, Population, ResourceType, Topic

    slugs = {
        "topics": dict(Topic.objects.values_list("pk", "slug")),
        "populations": dict(Population.objects.values_list("pk", "slug")),
        "resource_type": dict(ResourceType.objects.values_list("pk", "slug")),
        "evidence_level": dict(EvidenceLevel.objects.values_list("pk", "slug")),
    }
    kinds = content_kinds()
    root_paths = sorted((root.root_path for root in Site.get_site_root_paths()), key=len, reverse=True)
    docs = {}
    empty = frozenset()
    for kind in kinds.values():
        model = kind.model
        names = _field_names(model)
        date_field = getattr(model, "search_date_field", None)
        summary_field = getattr(model, "card_summary_field", "search_description")
        columns = ["pk", "audience", "title", "listing_title", "url_path", "first_published_at"]
        columns += ["listing_summary", summary_field]
        optional = ["resource_type", "evidence_level", "publication_year"]
        columns += [f"{name}_id" if name in slugs else name for name in optional if name in names]
        if date_field:
            columns.append(date_field)
        rows = list(model.objects.live().values_list(*columns))
        pks = [row[0] for row in rows]
        topics = _m2m(model, "topics", pks, slugs["topics"]) if "topics" in names else {}
        populations = _m2m(model, "populations", pks, slugs["populations"]) if "populations" in names else {}
        for row in rows:
            values = dict(zip(columns, row, strict=True))
            year = values.get("publication_year")
            if date_field:
                date = values[date_field]
            elif year:
                date = year
            else:
                published = values["first_published_at"]
                date = timezone.localdate(published) if published else None
            key = (kind.content_type_id, values["pk"])
            docs[key] = Doc(
                key=key,
                content=kind.slug,
                audience=values["audience"],
                title=values["listing_title"] or values["title"],
                summary=values["listing_summary"] or values[summary_field] or "",
                url=_relative_url(values["url_path"], root_paths),
                title_lower=(values["listing_title"] or values["title"]).lower(),
                topics=topics.get(values["pk"], empty),
                resource_type=slugs["resource_type"].get(values.get("resource_type_id")),
                populations=populations.get(values["pk"], empty),
                evidence=slugs["evidence_level"].get(values.get("evidence_level_id")),
                year=year or (date.year if isinstance(date, datetime.date) else None),
                date=date,
                sort_key=_sort_key(date),
            )
    return DocumentIndex(kinds, docs)


def document_index():
    """The current index, rebuilt once per page cache generation per process."""
    generation = current_generation()
    if _built["generation"] != generation:
        with _lock:
            if _built["generation"] != generation:
                _built["index"] = build()
                _built["generation"] = generation
    return _built["index"]


def forget(**kwargs):
    """Drop this process's index (pages saved outside a publish, e.g. drafts
    being edited or pages made in code); other processes follow the page cache
    generation, which every publish changes."""
    _built["generation"] = None


def connect():
    from django.db.models.signals import post_delete, post_save

    for model in searchable_models():
        uid = f"hub-search-documents-{model._meta.label}"
        post_save.connect(forget, sender=model, dispatch_uid=uid, weak=False)
        post_delete.connect(forget, sender=model, dispatch_uid=uid + "-deleted", weak=False)
