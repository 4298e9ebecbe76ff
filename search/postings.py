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

What it does not know: word positions. A phrase (``'law' <-> 'enforc'``, from
a synonym or a hyphenated word) matches a title or a body holding all its
words. The query text is compiled by PostgreSQL, so stemming and stop words
are exactly the index's; anything beyond alternatives of words and phrases
goes back to SQL (``parse`` returns None).
"""

import re
import threading
from array import array

from django.db import connection

RARE_SHARE = 32  # a lexeme in fewer than 1/32 of the pages keeps positions, not a bit set

_lock = threading.Lock()
_built = {"index": None, "postings": None}

_TOKEN = re.compile(r"\s*(?:'((?:[^']|'')*)'(:[*A-D]+)?|(<->|<\d+>)|(\|)|(.))")


def parse(tsquery_text):
    """Alternatives of phrases, e.g. ``[["crisi"], ["law", "enforc"]]``, from
    PostgreSQL's text form of a tsquery of ORs of words and phrases; None for
    anything else (AND, NOT, prefixes, weights, brackets)."""
    alternatives, phrase = [], []
    expect_lexeme = True
    for match in _TOKEN.finditer(tsquery_text.strip()):
        lexeme, suffix, follows, either, other = match.groups()
        if other is not None or suffix:
            return None
        if lexeme is not None:
            if not expect_lexeme:
                return None
            phrase.append(lexeme.replace("''", "'"))
            expect_lexeme = False
        elif follows or either:
            if expect_lexeme:
                return None
            if either:
                alternatives.append(phrase)
                phrase = []
            expect_lexeme = True
    if expect_lexeme:
        return None if (phrase or alternatives) else []
    alternatives.append(phrase)
    return alternatives


class Postings:
    """Lexeme -> bit set of the pages holding it, for the title and the body,
    over the positions of ``search.documents`` (``entry_ids`` are the index
    table rows of those positions)."""

    def __init__(self, size, entry_ids, title, body):
        self.size = size
        self.entry_ids = entry_ids
        self.title = title
        self.body = body

    def bits(self, table, lexeme):
        value = table.get(lexeme)
        if value is None:
            return 0
        if isinstance(value, int):
            return value
        data = bytearray((self.size + 7) // 8)
        for position in value:
            data[position >> 3] |= 1 << (position & 7)
        return int.from_bytes(data, "little")

    def holding(self, alternatives):
        """(pages whose title holds one alternative, pages whose title or
        body does) as bit sets."""
        in_title = in_either = 0
        for phrase in alternatives:
            title = body = -1
            for lexeme in phrase:
                title &= self.bits(self.title, lexeme)
                body &= self.bits(self.body, lexeme)
            if phrase:
                in_title |= title
                in_either |= title | body
        return in_title, in_either


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
            if len(places) < rare:
                packed[lexeme] = array("I", places)
            else:
                data = bytearray((size + 7) // 8)
                for position in places:
                    data[position >> 3] |= 1 << (position & 7)
                packed[lexeme] = int.from_bytes(data, "little")
        tables[name] = packed
    return Postings(size, entry_ids, tables["title"], tables["body"])


def postings(index):
    """This process's postings for ``index`` (rebuilt with it)."""
    if _built["index"] is not index:
        with _lock:
            if _built["index"] is not index:
                _built["postings"] = build(index)
                _built["index"] = index
    return _built["postings"]
