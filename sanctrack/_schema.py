"""The registry format's fields, declared once.

For every kind of record in a registry file (``docs/registry-format.md``) this
module lists its keys, in the order the format documents them and the writer
writes them, each with what kind of value it holds and whether it is required.
Everything else that needs the list is derived from it:

* the loader's record specs (:mod:`sanctrack._fields` turns each :class:`Field`
  kind into a converter; the order is the order of its "the keys of … are" hint);
* the writer's key order (:mod:`sanctrack._dump`), and which empty lists it
  keeps (:attr:`Field.empty_differs`);
* the JSON export's typed fields (:mod:`sanctrack.exports._json`: which keys
  hold dates, instants, date windows, a scope).

A field of kind ``"records"`` holds nested records that are read and written by
their own spec (a measure's ``transitions``, a release's ``figures`` and
``links``): it is a known key, but no value converter applies to it.

This module is pure: declarations only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from ._model import (
    ENTITY_KINDS,
    INSTRUMENT_KINDS,
    MEASURE_KINDS,
    Action,
    Basis,
    Confidence,
)

__all__ = ["KINDS", "Field", "INFO", "AUTHORITY", "ENTITY", "INSTRUMENT", "SOURCE", "MEASURE", "TRANSITION",
           "RELEASE", "FIGURE", "LINK", "SCOPE", "RECORDS", "names_of_kind", "written_keys"]

#: What a field can hold. ``text``: non-empty text; ``id`` / ``code`` / ``source_id``: an
#: identifier of a record / an authority / a source; ``date``: ``YYYY-MM-DD``; ``instant``: an
#: ISO 8601 instant with its offset; ``int``: a whole number; ``int_or_text``: either;
#: ``bool``: true or false; ``vocab``: one word of :attr:`Field.vocabulary`; ``texts`` / ``ids``
#: / ``source_ids``: a list of those; ``window``: ``[earliest, latest]`` dates; ``scope``: a
#: nested :data:`SCOPE` mapping; ``changes``: a mapping ``field: [old, new]``; ``records``:
#: nested records (see the module docstring).
KINDS = frozenset({"text", "id", "code", "source_id", "date", "instant", "int", "int_or_text", "bool", "vocab",
                   "texts", "ids", "source_ids", "window", "scope", "changes", "records"})


class Field(NamedTuple):
    """One key of a kind of record."""

    name: str
    kind: str
    required: bool = False
    #: the words a ``vocab`` field accepts
    vocabulary: tuple[str, ...] = ()
    #: an empty list means something other than an absent key (``targets: []`` on an amend:
    #: "to no targets", where leaving it out means "targets unchanged"), so it is written
    empty_differs: bool = False


def _words(values: Iterable[object]) -> tuple[str, ...]:
    return tuple(str(v) for v in values)


INFO = (Field("name", "text", True), Field("version", "text"), Field("description", "text"))
AUTHORITY = (Field("code", "code", True), Field("name", "text", True), Field("jurisdiction", "text", True),
             Field("timezone", "text", True))
ENTITY = (Field("id", "id", True), Field("kind", "vocab", True, _words(ENTITY_KINDS)), Field("name", "text", True),
          Field("aliases", "texts"), Field("identifiers", "texts"), Field("note", "text"))
INSTRUMENT = (Field("id", "id", True), Field("kind", "vocab", True, _words(INSTRUMENT_KINDS)),
              Field("authority", "code"), Field("number", "text"), Field("title", "text", True), Field("url", "text"),
              Field("signed", "date"), Field("issued", "date"), Field("published", "date"),
              Field("sources", "source_ids"), Field("note", "text"))
SOURCE = (Field("id", "source_id", True), Field("publisher", "text", True), Field("title", "text"),
          Field("url", "text", True), Field("published", "date"), Field("quote", "text"), Field("note", "text"))
MEASURE = (Field("id", "id", True), Field("authority", "code", True),
           Field("kind", "vocab", True, _words(MEASURE_KINDS)), Field("program", "text"), Field("targets", "ids"),
           Field("title", "text", True), Field("summary", "text"),
           Field("sources", "source_ids", True), Field("transitions", "records"))
TRANSITION = (
    Field("id", "id", True), Field("action", "vocab", True, _words(Action)), Field("effective", "date"),
    Field("effective_at", "instant"), Field("announced", "date"), Field("published", "date"),
    Field("recorded", "date", True), Field("until", "date"), Field("relief", "id"), Field("effective_window", "window"),
    Field("instrument", "id"), Field("scope", "scope"), Field("conditions", "texts"), Field("program", "text"),
    Field("targets", "ids", empty_differs=True), Field("changes", "changes"),
    Field("confidence", "vocab", True, _words(Confidence)), Field("sources", "source_ids", True),
    Field("corrects", "id"), Field("note", "text"),
)
RELEASE = (
    Field("id", "id", True), Field("date", "date", True), Field("date_window", "window"),
    Field("recorded", "date", True), Field("count", "int"), Field("people", "texts"), Field("nationalities", "texts"),
    Field("destinations", "texts"), Field("negotiators", "texts"), Field("sources", "source_ids", True),
    Field("note", "text"), Field("figures", "records"), Field("links", "records"),
)
FIGURE = (Field("quantity", "text", True), Field("value", "int_or_text", True), Field("used", "bool"),
          Field("sources", "source_ids"), Field("note", "text"))
LINK = (Field("transition", "id", True), Field("basis", "vocab", True, _words(Basis)), Field("recorded", "date", True),
        Field("sources", "source_ids", True), Field("quote", "text"), Field("note", "text"))
#: a transition's ``scope`` (kind ``scope``)
SCOPE = (Field("authorises", "text"), Field("excludes", "texts"))

#: Every kind of record, by the name the loader's messages use.
RECORDS: dict[str, tuple[Field, ...]] = {
    "registry": INFO, "authority": AUTHORITY, "entity": ENTITY, "instrument": INSTRUMENT, "source": SOURCE,
    "measure": MEASURE, "transition": TRANSITION, "release": RELEASE, "figure": FIGURE, "link": LINK,
    "scope": SCOPE,
}


def names_of_kind(kind: str) -> frozenset[str]:
    """The keys that hold a ``kind`` value in any kind of record (e.g. every date field)."""
    if kind not in KINDS:
        raise ValueError(f"unknown field kind {kind!r}")
    return frozenset(f.name for fields in RECORDS.values() for f in fields if f.kind == kind)


def written_keys(fields: tuple[Field, ...]) -> tuple[str, ...]:
    """The keys a writer writes from a record's own attributes, in order (nested records excluded)."""
    return tuple(f.name for f in fields if f.kind != "records")
