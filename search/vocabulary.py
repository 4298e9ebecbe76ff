"""Typo correction: the words of the hub's searchable content, and the
closest of them to a word a search did not find.

Used on the database backend (an engine corrects with its own suggester,
search/service.py). The vocabulary (``SearchWord``) is rebuilt from the live
searchable pages' own search fields when content has changed since the last
build, at most once a day, and only when a search needed correcting. On
PostgreSQL the closest word is found by trigram similarity (pg_trgm, with a
trigram index); elsewhere by Python's ``difflib`` over the cached word list, a
best effort for small sites.

The vocabulary holds the words of every indexed page, hidden ones too, and
may be a day old: it only proposes. A word is offered to a person, or taken
as known, only when a page they may see holds it now (the ``visible``
function the search service passes, which searches within the person's
audience), so a correction never reveals a members-only page or a closed
meeting.
"""

import difflib
import re
import time

from django.core.cache import cache
from django.db import connection, transaction

from hub.cache import current_generation

from .models import SearchWord

MIN_LENGTH = 4
MAX_LENGTH = 40
REBUILD_EVERY = 24 * 3600  # seconds, at most, when content changed
SIMILARITY = 0.45
CANDIDATES = 8  # closest known words tried, best first, until one the person may see
BUILT_KEY = "hub:vocabulary-built"
WORDS_KEY = "hub:vocabulary-words"
WORD = re.compile(rf"[^\W\d_]{{{MIN_LENGTH},{MAX_LENGTH}}}")


def _text(field, page):
    value = field.get_value(page)
    if value is None:
        return ""
    stream_block = getattr(value, "stream_block", None)
    if stream_block is not None:
        return " ".join(stream_block.get_searchable_content(value))
    return str(value)


def _page_words():
    """word -> how many live searchable pages hold it, read from the pages'
    own search fields (what the search index is built from)."""
    from wagtail.search import index

    from .service import kinds

    counts = {}
    for kind in kinds().values():
        fields = [f for f in kind.model.get_search_fields() if isinstance(f, index.SearchField)]
        for page in kind.model.get_indexed_objects().iterator(chunk_size=500):
            text = " ".join(_text(field, page) for field in fields)
            for word in set(WORD.findall(text.lower())):
                counts[word] = counts.get(word, 0) + 1
    return counts


def in_use():
    """Whether searches correct words with the vocabulary: on the database
    backend only. An engine corrects with its own suggester
    (search/service.py); while it is away, the database fallback answers
    without corrections."""
    from .hub_backend import hub_backends

    return not hub_backends()


def rebuild():
    """Replace the vocabulary with the words of every live searchable page."""
    counts = _page_words()
    with transaction.atomic():
        SearchWord.objects.all().delete()
        SearchWord.objects.bulk_create(
            [SearchWord(word=w, documents=n) for w, n in counts.items()], batch_size=1000
        )
    cache.set(BUILT_KEY, (current_generation(), time.time()), None)
    cache.delete(WORDS_KEY)


def ensure_current():
    """Build the vocabulary when there is none, and again when content has
    changed and the last build is a day old. ``update_index``, the resource
    import and the demo loader rebuild it too."""
    built = cache.get(BUILT_KEY)
    if built is None:
        if not SearchWord.objects.exists():
            rebuild()
        else:
            cache.set(BUILT_KEY, (current_generation(), time.time()), None)
        return
    generation, when = built
    if generation != current_generation() and time.time() - when > REBUILD_EVERY:
        rebuild()


_words = {"built": None, "words": frozenset()}


def _known(words):
    """The words the vocabulary holds, from a copy kept in this process until
    the next rebuild (a few thousand words; asked for on every search)."""
    built = cache.get(BUILT_KEY)
    if built is None or _words["built"] != built:
        _words["words"] = frozenset(SearchWord.objects.values_list("word", flat=True))
        _words["built"] = built
    return {word for word in words if word in _words["words"]}


def _closest_postgres(words):
    """{word: the closest known words, best first} by trigram similarity,
    for every word in one query."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT typed.word, best.word FROM unnest(%s::text[]) AS typed(word) "
            "CROSS JOIN LATERAL ("
            f" SELECT known.word, similarity(known.word, typed.word) AS score, known.documents"
            f" FROM {SearchWord._meta.db_table} AS known"  # noqa: S608 - the model's own table
            " WHERE known.word %% typed.word AND similarity(known.word, typed.word) >= %s"
            " ORDER BY score DESC, known.documents DESC LIMIT %s"
            ") AS best ORDER BY typed.word, best.score DESC, best.documents DESC",
            [list(words), SIMILARITY, CANDIDATES],
        )
        found = {}
        for typed, known in cursor.fetchall():
            found.setdefault(typed, []).append(known)
        return found


def _closest_python(words):
    known = cache.get(WORDS_KEY)
    if known is None:
        known = list(SearchWord.objects.order_by("-documents").values_list("word", flat=True)[:50000])
        cache.set(WORDS_KEY, known, 3600)
    found = {}
    for word in words:
        matches = difflib.get_close_matches(word, known, n=CANDIDATES, cutoff=0.75)
        if matches:
            found[word] = matches
    return found


def corrections(words, visible):
    """{word: closest known word} for each word of the query the hub's
    content does not hold but holds something close to.

    ``visible(word)`` tells whether a page the person may see holds the word
    (None for a word the index leaves out, such as "the"); only such words
    count as known or are offered."""
    candidates = [w for w in words if WORD.fullmatch(w)]
    if not candidates:
        return {}
    ensure_current()
    known = {word for word in _known(candidates) if visible(word) is not False}
    unknown = [word for word in candidates if word not in known]
    if not unknown:
        return {}
    closest = _closest_postgres if connection.vendor == "postgresql" else _closest_python
    found = {}
    for word, options in closest(unknown).items():
        for option in options:
            if option and option != word and visible(option):
                found[word] = option
                break
    return found
