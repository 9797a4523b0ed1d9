"""The registry digest hashes the plain canonical document, byte for byte (issue 7).

:func:`sanctrack._canonical.registry_digest` never builds the document: it
writes each record's canonical JSON text directly (generated per-type
encoders) and hashes it in chunks. These tests rebuild the document the slow,
specified way -- :func:`~sanctrack._canonical.plain` on every record, then
:func:`~sanctrack._canonical.digest_of` -- and require the same digest: on
generated registries, on records with awkward but valid values (any Unicode
text, ``changes``, kept-empty ``targets``, nested scopes and figures, instants
with offsets, orphan links), and, encoder by encoder, on records whose fields
hold values the validators would refuse (the encoders' fallbacks must still
write what ``plain`` + ``canonical_json`` would).
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sanctrack
from sanctrack import (
    Authority,
    Entity,
    Figure,
    Instrument,
    Link,
    Measure,
    RegistryInfo,
    Release,
    Scope,
    Source,
    Transition,
)
from sanctrack._canonical import _encoder, _value, _value_json, canonical_json, digest_of, plain, registry_digest
from sanctrack._model import ENTITY_KINDS, INSTRUMENT_KINDS, MEASURE_KINDS
from sanctrack.strategies import registries, registry_records

BUNDLED_DIGEST = "sha256:fe0d25a669e02ed29d41162b15e3029169bc1915d71d81de7656ade3815b9ebf"


def plain_document(*, info, authorities, entities, instruments, sources, measures, records_of, releases, links):
    """The canonical document as specified: ``plain`` on every record, nothing faster."""
    by_release: dict[str, list[Any]] = {}
    for ln in links:
        by_release.setdefault(ln.release, []).append(ln)
    doc: dict[str, Any] = {
        "info": plain(info),
        "authorities": [plain(a) for a in sorted(authorities.values(), key=lambda a: a.code)],
        "entities": [plain(e) for e in sorted(entities.values(), key=lambda e: e.id)],
        "instruments": [plain(i) for i in sorted(instruments.values(), key=lambda i: i.id)],
        "sources": [plain(s) for s in sorted(sources.values(), key=lambda s: s.id)],
        "measures": [dict(plain(m), transitions=[plain(t, skip=("measure",)) for t in records_of(mid)])
                     for mid, m in measures.items()],
        "releases": [dict(plain(r), links=[plain(ln, skip=("release",))
                                           for ln in sorted(by_release.get(r.id, ()), key=lambda ln: ln.transition)])
                     for r in sorted(releases.values(), key=lambda r: r.id)],
    }
    orphans = [plain(ln) for ln in links if ln.release not in releases]
    if orphans:
        doc["orphan_links"] = sorted(orphans, key=lambda x: (x["release"], x["transition"]))
    return doc


def parts_of(reg: sanctrack.Registry) -> dict[str, Any]:
    """``registry_digest`` arguments from a registry's public records."""
    return parts_from({kind: getattr(reg, kind) for kind in (
        "info", "authorities", "entities", "instruments", "sources", "measures", "transitions", "releases",
        "links")})


def parts_from(records: dict[str, Any]) -> dict[str, Any]:
    """``registry_digest`` arguments straight from records (no build, so no reference checks)."""
    grouped: dict[str, list[Transition]] = {}
    for t in records["transitions"]:
        grouped.setdefault(t.measure, []).append(t)
    return dict(info=records["info"],
                authorities={a.code: a for a in records["authorities"]},
                entities={e.id: e for e in records["entities"]},
                instruments={i.id: i for i in records["instruments"]},
                sources={s.id: s for s in records["sources"]},
                measures={m.id: m for m in sorted(records["measures"], key=lambda m: m.id)},
                records_of=lambda mid: grouped.get(mid, ()),
                releases={r.id: r for r in records["releases"]},
                links=tuple(records["links"]))


# -- generated registries -------------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(registries(max_size=4, with_corrections=True, with_pending=True, with_windows=True))
def test_the_digest_of_a_generated_registry_is_the_sha256_of_its_plain_document(reg):
    parts = parts_of(reg)
    expected = digest_of(plain_document(**parts))
    assert reg.digest == expected
    assert registry_digest(**parts) == expected


def test_the_bundled_registry_digest_is_unchanged():
    reg = sanctrack.load(cache=False)
    assert reg.digest == BUNDLED_DIGEST
    assert digest_of(plain_document(**parts_of(reg))) == BUNDLED_DIGEST


def test_a_synthetic_registry_digest_is_the_sha256_of_its_plain_document():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from synth import generate

    reg = sanctrack.Registry.build(**generate(2000, 3).kwargs())
    assert reg.digest == digest_of(plain_document(**parts_of(reg)))


# -- awkward but valid records ----------------------------------------------------------------

# any Unicode text (quotes, backslashes, control characters, non-BMP), non-empty after strip
texts = st.text(min_size=1, max_size=8).filter(lambda s: s.strip() != "")
opt_texts = st.none() | texts
tuples_of_texts = st.lists(texts, max_size=3).map(tuple)
days = st.dates(dt.date(1990, 1, 1), dt.date(2040, 12, 31))
opt_days = st.none() | days
offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: dt.timezone(dt.timedelta(minutes=m)))
instants = st.builds(lambda d, s, us, tz: dt.datetime.combine(d, dt.time(), tz)
                     + dt.timedelta(seconds=s, microseconds=us), days, st.integers(0, 86399),
                     st.sampled_from([0, 0, 1, 500000, 999999]), offsets)
scopes = st.builds(Scope, authorises=opt_texts, excludes=tuples_of_texts)
changes = st.dictionaries(texts, st.tuples(opt_texts, opt_texts), max_size=3)
figures = st.builds(Figure, quantity=texts, value=st.integers(-5, 10**12) | texts, used=st.booleans(),
                    sources=tuples_of_texts, note=opt_texts)


@st.composite
def transitions(draw, measure: str, n: int) -> Transition:
    effective = draw(opt_days)
    announced = draw(days) if effective is None else draw(opt_days)
    until = None
    window = None
    effective_at = None
    if effective is not None:
        if draw(st.booleans()):
            until = effective + dt.timedelta(days=draw(st.integers(1, 400)))
        if draw(st.booleans()):
            window = (effective - dt.timedelta(days=draw(st.integers(0, 5))),
                      effective + dt.timedelta(days=draw(st.integers(0, 5))))
        if draw(st.booleans()):
            effective_at = draw(instants)
    return Transition(
        id=f"{measure}-t{n}-" + draw(texts), measure=measure, action=draw(st.sampled_from(list(sanctrack.Action))),
        recorded=draw(days), effective=effective, effective_at=effective_at, announced=announced,
        published=draw(opt_days), until=until, effective_window=window, instrument=draw(opt_texts),
        scope=draw(st.none() | scopes), conditions=draw(tuples_of_texts), program=draw(opt_texts),
        targets=draw(st.none() | tuples_of_texts),  # () is kept (default None): an amend to no targets
        changes=draw(changes), relief=draw(opt_texts), confidence=draw(st.sampled_from(list(sanctrack.Confidence))),
        sources=draw(tuples_of_texts), corrects=draw(opt_texts), note=draw(opt_texts))


@st.composite
def awkward_records(draw) -> dict[str, Any]:
    info = draw(st.builds(RegistryInfo, name=texts, version=opt_texts, description=opt_texts))
    auths = draw(st.lists(st.builds(Authority, code=texts, name=texts, jurisdiction=texts, timezone=texts),
                          max_size=3, unique_by=lambda a: a.code))
    ents = draw(st.lists(st.builds(Entity, id=texts, kind=st.sampled_from(sorted(ENTITY_KINDS)), name=texts,
                                   aliases=tuples_of_texts, identifiers=tuples_of_texts, note=opt_texts),
                         max_size=3, unique_by=lambda e: e.id))
    insts = draw(st.lists(st.builds(Instrument, id=texts, kind=st.sampled_from(sorted(INSTRUMENT_KINDS)),
                                    title=texts, number=opt_texts, authority=opt_texts, url=opt_texts,
                                    signed=opt_days, issued=opt_days, published=opt_days,
                                    sources=tuples_of_texts, note=opt_texts),
                          max_size=3, unique_by=lambda i: i.id))
    srcs = draw(st.lists(st.builds(Source, id=texts, publisher=texts, url=texts, title=opt_texts,
                                   published=opt_days, quote=opt_texts, note=opt_texts),
                         max_size=3, unique_by=lambda s: s.id))
    meas = draw(st.lists(st.builds(Measure, id=texts, authority=texts,
                                   kind=st.sampled_from(sorted(MEASURE_KINDS)), title=texts,
                                   targets=tuples_of_texts, program=opt_texts, summary=opt_texts,
                                   sources=tuples_of_texts),
                         min_size=1, max_size=4, unique_by=lambda m: m.id))
    trs = [draw(transitions(m.id, n)) for m in meas for n in range(draw(st.integers(0, 3)))]

    @st.composite
    def release(draw) -> Release:
        day = draw(days)
        window = draw(st.none() | st.just((day - dt.timedelta(days=1), day)))
        return Release(id=draw(texts), date=day, recorded=draw(days), count=draw(st.none() | st.integers(0, 10**6)),
                       date_window=window, people=draw(tuples_of_texts), nationalities=draw(tuples_of_texts),
                       destinations=draw(tuples_of_texts), negotiators=draw(tuples_of_texts),
                       sources=draw(tuples_of_texts), figures=tuple(draw(st.lists(figures, max_size=2))),
                       note=draw(opt_texts))

    rels = draw(st.lists(release(), max_size=3, unique_by=lambda r: r.id))
    release_ids = [r.id for r in rels]
    transition_ids = [t.id for t in trs] or ["t-none"]
    lnks = draw(st.lists(st.builds(Link, release=st.sampled_from(release_ids) | texts if release_ids else texts,
                                   transition=st.sampled_from(transition_ids),
                                   basis=st.sampled_from(list(sanctrack.Basis)),
                                   recorded=days, sources=tuples_of_texts, quote=opt_texts, note=opt_texts),
                         max_size=5))  # a link to a release not in the registry is an orphan link
    return dict(info=info, authorities=auths, entities=ents, instruments=insts, sources=srcs, measures=meas,
                transitions=trs, releases=rels, links=lnks)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(awkward_records())
def test_the_digest_of_awkward_records_is_the_sha256_of_their_plain_document(records):
    parts = parts_from(records)
    assert registry_digest(**parts) == digest_of(plain_document(**parts))


@settings(max_examples=30, deadline=None)
@given(registry_records(max_size=3, with_corrections=True, with_pending=True, with_windows=True))
def test_orphan_links_are_hashed_in_release_then_transition_order(records):
    parts = parts_from(records)
    links = list(parts["links"])
    if links:
        parts["releases"] = dict(list(parts["releases"].items())[1:])  # the first release's links become orphans
    parts["links"] = tuple(reversed(links)) + tuple(
        attrs.evolve(ln, release="zz-gone", transition=t) for ln in links[:1] for t in ("b", "a", "\u00e9"))
    doc = plain_document(**parts)
    assert registry_digest(**parts) == digest_of(doc)
    if links:
        assert doc["orphan_links"]


def test_empty_and_absent_differ_only_where_the_default_is_none():
    t = Transition("t", "m", "amend", recorded=dt.date(2020, 1, 1), effective=dt.date(2020, 1, 1), targets=(),
                   changes={"b": ["x", None], "a": [None, "\u00e9"], "\u00e9": ["1", "2"]})
    encoded = _encoder(Transition, ("measure",))(t)
    assert encoded == canonical_json(plain(t, skip=("measure",)))
    assert '"targets":[]' in encoded and '"conditions"' not in encoded
    assert '"changes":{"a":[null,"\u00e9"],"b":["x",null],"\u00e9":["1","2"]}' in encoded


# -- values the validators refuse: the fallbacks still write what plain would ------------------


class Colour(enum.Enum):
    RED = "red"
    ONE = 1
    WHEN = (1, 2)


class Level(enum.IntEnum):
    LOW = 1


class Text(str):
    pass


class Day(dt.date):
    def isoformat(self) -> str:  # a subclass may write itself differently: plain asks it
        return "day " + super().isoformat()


json_keys = st.text(max_size=4)
leaves = (st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=False, allow_infinity=False)
          | st.text(max_size=6) | st.text(max_size=3).map(Text) | days | days.map(lambda d: Day(d.year, d.month, d.day))
          | instants | st.sampled_from(list(Colour) + list(Level) + list(sanctrack.Action) + list(sanctrack.Basis))
          | scopes)
values = st.recursive(leaves, lambda inner: (st.lists(inner, max_size=3) | st.lists(inner, max_size=3).map(tuple)
                                             | st.dictionaries(json_keys, inner, max_size=3)), max_leaves=8)


def outcome(f, *args: Any, **kwargs: Any) -> tuple[str, Any]:
    """The text written, or that it cannot be written (a date inside a dict is not JSON, either way).

    Which error comes first may differ: ``plain`` converts every field before
    encoding any, the encoders write field by field.
    """
    try:
        return "text", f(*args, **kwargs)
    except (TypeError, ValueError):
        return "error", None


@settings(max_examples=300, deadline=None)
@given(values)
def test_a_value_is_written_as_canonical_json_of_its_plain_value(v):
    assert outcome(_value_json, v) == outcome(lambda: canonical_json(_value(v)))


RECORD_TYPES = [RegistryInfo, Authority, Entity, Source, Instrument, Scope, Measure, Transition, Figure, Release, Link]


@st.composite
def unchecked_records(draw) -> tuple[Any, tuple[str, ...]]:
    """A record whose fields hold anything (set past the validators), and a skip."""
    cls = draw(st.sampled_from(RECORD_TYPES))
    record = object.__new__(cls)
    names = [a.name for a in attrs.fields(cls)]
    for name in names:
        v = draw(st.none() | st.just(()) | st.just([]) | st.just("") | values)
        if name == "changes" and draw(st.booleans()):
            v = draw(st.lists(st.tuples(st.text(max_size=3), st.none() | st.text(max_size=3),
                                        st.none() | st.text(max_size=3)), max_size=3))  # duplicate keys: last wins
            v = tuple(v) if draw(st.booleans()) else v
        object.__setattr__(record, name, v)
    skip = tuple(draw(st.lists(st.sampled_from(names), max_size=2, unique=True)))
    return record, skip


@settings(max_examples=400, deadline=None)
@given(unchecked_records())
def test_an_unchecked_record_is_written_as_canonical_json_of_its_plain_form(case):
    record, skip = case
    assert outcome(_encoder(type(record), skip), record) == outcome(lambda: canonical_json(plain(record, skip=skip)))


@pytest.mark.parametrize("cls", RECORD_TYPES)
def test_an_extra_key_is_written_in_sorted_place_and_replaces_a_field_of_that_name(cls):
    record = object.__new__(cls)
    for a in attrs.fields(cls):
        object.__setattr__(record, a.name, (("k", "x", None),) if a.name == "changes" else "x")
    names = [a.name for a in attrs.fields(cls)]
    for extra in ("links", "transitions", names[0], "~last", "A first"):
        expected = dict(plain(record), **{extra: [1, "\u00e9"]})
        assert _encoder(cls, (), (extra,))(record, '[1,"\u00e9"]') == canonical_json(expected)
