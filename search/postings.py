"""Which pages hold which words, in memory: the PostgreSQL search's matching
step without a query over the whole index table.

The search index table (Wagtail's database backend) keeps, per page, the
stemmed words ("lexemes") of its title and of its body as ``tsvector``s. For
a query holding a word found in most pages, testing every row costs
PostgreSQL some 20 ms on 10,000 pages, on every new query. Each worker
process instead reads the lexemes once per page cache generation (the same
moment ``search.documents`` rebuilds) and keeps, per lexeme, the set of pages
whose title holds it and the set whose body does.

Sets are Python integers used as bit sets over the pages, ordered newest
first; a lexeme found in few pages keeps a short array of positions instead,
so memory stays proportional to the text (a few MB for 10,000 resources).
Matching a query is then a handful of big-integer ANDs and ORs, and the pages
holding the same concepts form one group scored once.

What it does not keep is word positions. A phrase (``'law' <-> 'enforc'``,
from a synonym or a hyphenated word) is asked of PostgreSQL the first time a
process meets it in a generation, among the pages holding all its words, and
its pages are then kept with the postings: phrases come from a short synonym
list, so they are soon all known. The query text is compiled by PostgreSQL,
so stemming and stop words are exactly the index's; anything beyond
alternatives of words and phrases goes back to SQL (``parse`` returns None).
"""

import re
import threading
from array import array
from typing import NamedTuple

from django.db import connection

from .documents import bits_at, set_bits

RARE_SHARE = 32  # a lexeme in fewer than 1/32 of the pages keeps positions, not a bit set

_lock = threading.Lock()

_TOKEN = re.compile(r"\s*(?:'((?:[^']|'')*)'(:[*A-D]+)?|(<->|<\d+>)|(\|)|(.))")


class Alternative(NamedTuple):
    words: tuple  # its lexemes, e.g. ("law", "enforc")
    text: str  # its own tsquery text, e.g. "'law' <-> 'enforc'"


def parse(tsquery_text):
    """The alternatives (a word or a phrase each) of PostgreSQL's text form of
    a tsquery of ORs of words and phrases; None for anything else (AND, NOT,
    prefixes, weights, brackets)."""
    alternatives, words, parts = [], [], []
    expect_lexeme = True
    for match in _TOKEN.finditer(tsquery_text.strip()):
        lexeme, suffix, follows, either, other = match.groups()
        if other is not None or suffix:
            return None
        if lexeme is not None:
            if not expect_lexeme:
                return None
            words.append(lexeme.replace("''", "'"))
            parts.append(f"'{lexeme}'")
            expect_lexeme = False
        elif follows or either:
            if expect_lexeme:
                return None
            if either:
                alternatives.append(Alternative(tuple(words), " ".join(parts)))
                words, parts = [], []
            else:
                parts.append(follows)
            expect_lexeme = True
    if expect_lexeme:
        return None if (words or alternatives) else []
    alternatives.append(Alternative(tuple(words), " ".join(parts)))
    return alternatives


class Postings:
    """Lexeme -> bit set of the pages holding it, for the title and the body,
    over the positions of ``search.documents`` (``entry_ids`` are the index
    table rows of those positions)."""

    def __init__(self, size, entry_ids, title, body):
        self.size = size
        self.entry_ids = entry_ids
        self.position_of_entry = {entry: position for position, entry in enumerate(entry_ids) if entry}
        self.title = title
        self.body = body
        self.phrases = {}  # tsquery text -> (title bits, body bits)

    def bits(self, table, lexeme):
        value = table.get(lexeme)
        if value is None:
            return 0
        if isinstance(value, int):
            return value
        return bits_at(value, self.size)

    def holding(self, alternatives):
        """(pages whose title holds one alternative, pages whose title or
        body does) as bit sets."""
        in_title = in_either = 0
        for alternative in alternatives:
            if len(alternative.words) == 1:
                title = self.bits(self.title, alternative.words[0])
                body = self.bits(self.body, alternative.words[0])
            elif alternative.words:
                title, body = self.phrase_bits(alternative)
            else:
                continue
            in_title |= title
            in_either |= title | body
        return in_title, in_either

    def phrase_bits(self, alternative):
        """(title bits, body bits) of the pages holding a phrase in order:
        asked of PostgreSQL among the pages holding all its words, once."""
        found = self.phrases.get(alternative.text)
        if found is not None:
            return found
        title = body = -1
        for lexeme in alternative.words:
            title &= self.bits(self.title, lexeme)
            body &= self.bits(self.body, lexeme)
        candidates = title | body
        if candidates:
            from wagtail.search.models import IndexEntry

            entries = [self.entry_ids[position] for position in set_bits(candidates)]
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT id, title @@ q, body @@ q FROM {IndexEntry._meta.db_table},"  # noqa: S608
                    " CAST(%s AS tsquery) AS q WHERE id = ANY(%s) AND (title @@ q OR body @@ q)",
                    [alternative.text, entries],
                )
                rows = [(self.position_of_entry.get(entry), *holds) for entry, *holds in cursor.fetchall()]
            found = tuple(
                bits_at((row[0] for row in rows if row[0] is not None and row[field]), self.size)
                for field in (1, 2)
            )
        else:
            found = (0, 0)
        self.phrases[alternative.text] = found
        return found


def build(index):
    """Read the lexemes of every searchable live page from the index table."""
    from wagtail.search.models import IndexEntry

    content_types = sorted({kind.content_type_id for kind in index.kinds.values()})
    table = IndexEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, content_type_id, object_id, tsvector_to_array(title), tsvector_to_array(body)"
            f" FROM {table} WHERE content_type_id = ANY(%s)",  # noqa: S608 - the model's own table
            [content_types],
        )
        rows = cursor.fetchall()
    size = len(index.order)
    entry_ids = [0] * size
    found = {"title": {}, "body": {}}
    for entry_id, ct_id, object_id, title, body in rows:
        if not object_id.isdigit():
            continue
        position = index.position.get((ct_id, int(object_id)))
        if position is None:
            continue
        entry_ids[position] = entry_id
        for name, lexemes in (("title", title), ("body", body)):
            table_of = found[name]
            for lexeme in lexemes:
                table_of.setdefault(lexeme, []).append(position)
    rare = max(1, size // RARE_SHARE)
    tables = {}
    for name, table_of in found.items():
        packed = {}
        for lexeme, places in table_of.items():
            packed[lexeme] = array("I", places) if len(places) < rare else bits_at(places, size)
        tables[name] = packed
    return Postings(size, entry_ids, tables["title"], tables["body"])


def postings(index):
    """The postings of ``index``, built with it on first use and kept on it."""
    found = getattr(index, "postings", None)
    if found is None:
        with _lock:
            found = getattr(index, "postings", None)
            if found is None:
                found = build(index)
                index.postings = found
    return found
