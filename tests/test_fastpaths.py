"""The fast paths give the naive oracle's answers, exactly (issue 7).

The oracle (``benchmarks/oracle.py``, also the benchmark's "naive" peer)
replays a measure's records for every question — no epochs, no runs, no
bisect, no global index, no cache — and builds the MeasureState a query must
return. The fast paths checked against it: the per-measure runs
(``state``), the bitemporal point path (``state(m, X, known=Y)`` and
``as_known_on``), the global in-force index (pure Python blocks and numpy
arrays), bulk screening (pairs, columns, numpy), the build's shortcuts
(legality of prefix epochs, the canonical digest). Registries come from the
seeded generator in ``benchmarks/synth.py``; query dates include every
transition boundary and the day before it.
"""

from __future__ import annotations

import datetime as dt
import operator
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sanctrack as s
from sanctrack import _fast, _screen
from sanctrack import _runs as _runs_mod
from sanctrack._canonical import digest_of, plain

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from oracle import Oracle, canonical  # noqa: E402
from synth import generate  # noqa: E402

D = dt.date


_BUILT: dict[tuple[int, int], tuple] = {}


def built(n, seed):
    key = (n, seed)
    if key not in _BUILT:
        synth = generate(n, seed)
        reg = s.Registry.build(**synth.kwargs())
        _BUILT[key] = (synth, reg, Oracle(synth, reg))
    return _BUILT[key]


sizes = st.sampled_from([30, 80, 200])
seeds = st.integers(0, 10_000)


@pytest.fixture(params=["numpy", "pure"])
def engine(request, monkeypatch):
    """Run a test with the numpy fast path and without it."""
    if request.param == "numpy":
        if _fast.numpy is None:
            pytest.skip("numpy (the fast extra) is not installed")
        monkeypatch.setattr(_screen, "_NUMPY_MEASURES", 0)  # vectorised at any size
    else:
        monkeypatch.setattr(_fast, "numpy", None)
    return request.param


def _fresh(reg):
    """The same registry with empty global caches (so each engine builds its own index)."""
    d = reg._d
    d.inforce_cache.clear()
    d.runs_cache.clear()
    d.flips_cache.clear()
    return reg


# -- point queries -------------------------------------------------------------------


@given(n=sizes, seed=seeds, data=st.data())
@settings(max_examples=40)
def test_state_equals_the_oracle_on_every_boundary(n, seed, data):
    synth, reg, oracle = built(n, seed)
    mid = data.draw(st.sampled_from(sorted(oracle.measures)))
    known = data.draw(st.sampled_from(sorted(oracle.known_dates(), key=lambda d_: (d_ is not None, d_))))
    for day in oracle.boundaries(mid):
        assert reg.state(mid, day, known=known) == oracle.state(mid, day, known), (mid, day, known)


@given(n=sizes, seed=seeds, data=st.data())
@settings(max_examples=40)
def test_the_bitemporal_point_path_equals_a_view_and_the_oracle(n, seed, data):
    synth, reg, oracle = built(n, seed)
    mid = data.draw(st.sampled_from(sorted(oracle.measures)))
    known = data.draw(st.sampled_from(sorted(oracle.known_dates() - {None})))
    view = reg.as_known_on(known)
    for day in oracle.boundaries(mid):
        expected = oracle.state(mid, day, known)
        assert reg.state(mid, day, known=known) == expected
        assert view.state(mid, day) == expected
        # a view's own knowledge date caps a later known=
        assert view.state(mid, day, known=known + dt.timedelta(days=400)) == expected


def test_an_instant_on_a_timed_transition_day_matches_the_date_query_around_it():
    synth, reg, oracle = built(2000, 3)
    timed = [t for t in synth.transitions if t.effective_at is not None]
    assert timed
    for t in timed[:50]:
        before = t.effective_at - dt.timedelta(seconds=1)
        after = t.effective_at
        # after the instant, the transition has applied: its own day's state (or a later same-day one)
        assert reg.state(t.measure, after).transition is not None
        st_before = reg.state(t.measure, before)
        assert st_before.transition is not t or st_before.transition is None


# -- the global in-force index ---------------------------------------------------------


@given(n=sizes, seed=seeds, data=st.data())
@settings(max_examples=25)
def test_in_force_equals_the_oracle(n, seed, data):
    synth, reg, oracle = built(n, seed)
    mid = data.draw(st.sampled_from(sorted(oracle.measures)))
    days = oracle.boundaries(mid)
    day = data.draw(st.sampled_from(days))
    known = data.draw(st.sampled_from([None, *sorted(oracle.known_dates() - {None})[::7]]))
    for numpy_on in (True, False):
        _fresh(reg)
        saved = _fast.numpy
        try:
            if not numpy_on:
                _fast.numpy = None
            expected = oracle.in_force(day, known)
            view = reg.as_known_on(known or D(2100, 1, 1))
            for _ in range(3):  # the first ask loops over the measures, the second builds the index
                assert reg.in_force(day, known=known) == expected
                # the view's knowledge date is its own date (2100 when known is None): the same states,
                # marked as known on that date
                assert view.in_force(day) == (expected if known else oracle.in_force(day, D(2100, 1, 1)))
        finally:
            _fast.numpy = saved


def test_in_force_filters_equal_filtering_the_oracle(engine):
    synth, reg, oracle = built(3000, 11)
    _fresh(reg)
    for day in (D(2003, 1, 1), D(2010, 6, 30), D(2025, 9, 20)):
        everything = oracle.in_force(day)
        assert reg.in_force(day) == everything == reg.in_force(day)
        assert None in reg._d.inforce_cache
        assert len(everything) > 20
        for code in ("EU", "US-OFAC"):
            assert reg.in_force(day, authority=code) == [x for x in everything if x.measure.authority == code]
        assert reg.in_force(day, kind="airspace") == [x for x in everything if x.measure.kind == "airspace"]
        assert reg.in_force(day, program="PROG-3") == [x for x in everything if x.program == "PROG-3"]
        ent = synth.entities[5]
        assert reg.in_force(day, target=ent.name) == [x for x in everything if ent.id in x.targets]


def test_the_pure_and_numpy_in_force_indexes_agree_on_every_boundary_day():
    if _fast.numpy is None:
        pytest.skip("numpy (the fast extra) is not installed")
    synth, reg, oracle = built(3000, 5)
    runs = []
    stores = reg._view_runs(None)
    for r, rs in enumerate(stores):
        states = rs.states()
        for n, st_ in enumerate(states):
            if st_.in_force:
                end = rs.starts[n + 1] if n + 1 < len(states) else _fast.OPEN_END
                runs.append((r, rs.starts[n], end, rs, n))
    blocks, flat = _fast.InForceIndex(runs, blocks=7), _fast.NumpyInForce(runs, stores)
    assert len(blocks.blocks) == 7
    assert _fast.InForceIndex(runs).at(days_probe := runs[0][1]) == flat.at(days_probe)
    days = sorted({o for _, a, b, _, _ in runs for o in (a - 1, a, b - 1, b) if b != _fast.OPEN_END})
    handed: set[int] = set()
    for o in days[::5]:
        assert blocks.at(o) == flat.at(o)
        assert all(map(operator.is_, flat.at(o), blocks.at(o)))  # the runs' own answers, memoised
        handed.update(j for j, (_, a, b, _, _) in enumerate(sorted(runs, key=lambda r: (r[0], r[1]))) if a <= o < b)
    assert blocks.at(days[0] - 1) == [] == flat.at(days[0] - 1)
    answers, made = flat.memo  # exactly the runs handed out are kept, each its store's own answer
    assert set(made.nonzero()[0].tolist()) == handed
    assert all(answers[j] is flat._make(j) for j in handed) and all(answers[j] is None for j in range(len(made))
                                                                      if j not in handed)


def test_a_global_index_is_built_on_the_second_ask_for_a_view():
    synth, reg, oracle = built(600, 12)
    d = _fresh(reg)._d
    d.global_asked.clear()
    y = sorted(oracle.known_dates() - {None})[-5]
    day = D(2020, 1, 1)
    assert reg.in_force(day, known=y) == oracle.in_force(day, y)
    assert y not in d.inforce_cache
    assert reg.in_force(day, known=y) == oracle.in_force(day, y)
    assert y in d.inforce_cache


def test_in_force_on_an_empty_registry_is_empty():
    assert s.Registry.build().in_force("2025-01-01") == []


# -- bulk screening ---------------------------------------------------------------------


@given(n=sizes, seed=seeds, data=st.data())
@settings(max_examples=25)
def test_screen_pairs_equal_the_oracle(n, seed, data):
    synth, reg, oracle = built(n, seed)
    mids = sorted(oracle.measures)
    queries = [data.draw(st.sampled_from(mids)) for _ in range(5)]
    queries += [synth.entities[data.draw(st.integers(0, len(synth.entities) - 1))].name for _ in range(2)]
    pairs = []
    for q in queries:
        days = oracle.boundaries(q) if q in oracle.measures else [D(2005, 1, 1), D(2020, 1, 1)]
        for day in days[:6]:
            pairs.append((q, day))
    known = data.draw(st.sampled_from([None, *sorted(oracle.known_dates() - {None})[::11]]))
    hits = reg.screen([(q, d_, known) for q, d_ in pairs])
    assert [h.states for h in hits] == [oracle.screen(q, d_, known) for q, d_ in pairs]
    assert [(h.query, h.on, h.known) for h in hits] == [(q, d_, known) for q, d_ in pairs]
    # columns, pure and numpy: the same hits
    for numpy_on in (True, False):
        saved, saved_from = _fast.numpy, _screen._NUMPY_MEASURES
        try:
            _screen._NUMPY_MEASURES = 0  # vectorised at any size when numpy is on
            if not numpy_on:
                _fast.numpy = None
            _fresh(reg)
            qs = [q for q, _ in pairs] * 10  # >= 64 questions: the vectorised path when it can
            ds = [d_ for _, d_ in pairs] * 10
            cols = reg.screen(qs, ds, known=known)
            assert len(cols) == len(qs)
            assert cols == hits * 10
            assert cols.hits == [bool(h.states) for h in hits] * 10
            # (query, date) pairs, 64 or more: answered column by column, returned as a list
            listed = reg.screen(list(zip(qs, ds)), known=known)
            assert type(listed) is list and listed == hits * 10
        finally:
            _fast.numpy, _screen._NUMPY_MEASURES = saved, saved_from


@pytest.mark.parametrize("known_index", [None, 0, 7, -3])
@pytest.mark.parametrize("as_if_large", [False, True])
def test_a_large_screen_batch_equals_the_oracle_on_every_boundary(engine, known_index, as_if_large, monkeypatch):
    """Over 4,096 questions. ``as_if_large``: the numpy path takes the branches of a registry of
    100,000 measures (each distinct query object looked up once, the search in key order)."""
    if as_if_large:
        monkeypatch.setattr(_screen, "_DEDUP_MEASURES", 0)
        monkeypatch.setattr(_screen, "_DEDUP_FROM", 1000)  # the other string objects grouped by address too
        monkeypatch.setattr(_fast.NumpyRuns, "SEGMENT_KEYS_FROM", 0)
    synth, reg, oracle = built(2000, 8)
    _fresh(reg)
    known = None if known_index is None else sorted(oracle.known_dates() - {None})[known_index]
    mids = sorted(oracle.measures)
    qs, ds = [], []
    for m in mids:
        for day in oracle.boundaries(m)[:8]:
            qs.append(m)
            ds.append(day)
    qs, ds = qs[::-1] * 3, ds[::-1] * 3  # out of key order, and repeated
    twins = {m: (m + "#")[:-1] for m in mids}
    qs = [twins[q] if n % 2 else q for n, q in enumerate(qs)]  # equal ids, other string objects (repeated)
    assert len(qs) > 4096 and qs[0] == qs[1] and qs[0] is not qs[1] and qs[1] is qs[3]
    cols = reg.screen(qs, ds, known=known)
    expected = [oracle.screen(q, d_, known) for q, d_ in zip(qs[: len(qs) // 3], ds[: len(ds) // 3])] * 3
    assert cols.states == expected
    assert cols.hits == [bool(x) for x in expected]
    if engine == "numpy":  # the questions as a numpy object array, and as a sequence of another kind
        arr = _fast.numpy.empty(len(qs), dtype=object)
        arr[:] = qs
        assert reg.screen(arr, ds, known=known).hits == [bool(x) for x in expected]
        assert reg.screen(_Lazy(qs), ds, known=known).hits == [bool(x) for x in expected]


@pytest.mark.parametrize("as_if_large", [False, True])
def test_a_large_screen_batch_with_one_target_answers_the_target_too(engine, as_if_large, monkeypatch):
    if as_if_large:  # the measure ids found by address, the target not (nor as a measure id)
        monkeypatch.setattr(_screen, "_DEDUP_MEASURES", 0)
    synth, reg, oracle = built(2000, 8)
    _fresh(reg)
    mids = sorted(oracle.measures)
    day = D(2015, 3, 1)
    qs = mids * 25 + [synth.entities[3].name]
    assert len(qs) > 4096
    assert reg.screen(qs, day).states == [oracle.screen(q, day) for q in qs]


def test_screen_columns_take_one_date_strings_and_numpy_dates(engine):
    synth, reg, oracle = built(2000, 8)
    _fresh(reg)
    mids = sorted(oracle.measures)[:300]
    day = D(2015, 3, 1)
    expected = [oracle.screen(m, day) for m in mids]
    assert reg.screen(mids, day).states == expected
    assert reg.screen(mids, "2015-03-01").states == expected
    assert [h.on for h in reg.screen(mids, "2015-03-01")] == ["2015-03-01"] * len(mids)
    if _fast.numpy is not None:
        np = _fast.numpy
        arr = np.array([day] * len(mids), dtype="datetime64[D]")
        assert reg.screen(mids, arr).states == expected
    mixed = [mids[0], synth.entities[0].id, mids[1]] * 30
    assert reg.screen(mixed, day).states == [oracle.screen(q, day) for q in mixed]


def test_addresses_are_the_ids_and_groups_are_identity_classes():
    if _fast.numpy is None:
        pytest.skip("numpy (the fast extra) is not installed")
    a, b = "x" * 3, "".join(["x", "xx"])
    assert a == b and a is not b
    objs = [a, b, a, (1, 2), None, b, (1, 2)]
    assert _fast.addresses(objs).tolist() == [id(o) for o in objs]
    firsts, group = _fast.group_by_address(objs)
    assert [objs[firsts[g]] is o for g, o in zip(group.tolist(), objs)] == [True] * len(objs)
    assert len(firsts) == len({id(o) for o in objs})
    assert _fast.addresses([]).tolist() == [] and len(_fast.group_by_address([])[0]) == 0


class _Lazy:
    """A sequence that is not a list, a tuple or an array (read item by item)."""

    def __init__(self, items):
        self._items = items

    def __len__(self):
        return len(self._items)

    def __getitem__(self, i):
        return self._items[i]

    def __iter__(self):
        return iter(self._items)


def test_addresses_of_lists_tuples_arrays_and_other_sequences_are_the_ids():
    if _fast.numpy is None:
        pytest.skip("numpy (the fast extra) is not installed")
    np = _fast.numpy
    objs = ["a" * 5, (1, 2), None, 3.5, object()]
    ids = [id(o) for o in objs]
    if _fast._CPYTHON:
        assert _fast._layout_verified()  # lists and tuples are read as their item arrays here
    assert _fast.addresses(objs).tolist() == ids
    assert _fast.addresses(tuple(objs)).tolist() == ids
    arr = np.empty(len(objs), dtype=object)
    arr[:] = objs
    assert _fast.addresses(arr).tolist() == ids
    assert _fast.addresses(arr[::2]).tolist() == ids[::2]  # not contiguous
    assert _fast.addresses(_Lazy(objs)).tolist() == ids
    grown = list(objs)
    for _ in range(3):  # a list whose item array was reallocated
        grown += grown
    assert _fast.addresses(grown).tolist() == [id(o) for o in grown]
    assert _fast.addresses(()).tolist() == []


def test_the_address_table_finds_exactly_its_own_objects():
    if _fast.numpy is None:
        pytest.skip("numpy (the fast extra) is not installed")
    keys = [f"m-{n:05d}" for n in range(3000)]
    table = _fast.AddressTable(keys, range(100, 3100))
    assert table.longest > 0  # at most half full: some keys had to probe on
    assert len(table.slots) == 8192
    twins = ["".join(["m-", k[2:]]) for k in keys[:50]]  # equal strings, other objects
    assert twins[0] == keys[0] and twins[0] is not keys[0]
    asked = [keys[2999], keys[0], twins[0], "nope", keys[1500], None, keys[0]] + keys[::-1] + twins
    got = table.lookup(_fast.addresses(asked)).tolist()
    assert got[:7] == [3099, 100, -1, -1, 1600, -1, 100]
    assert got[7:3007] == list(range(3099, 99, -1))
    assert got[3007:] == [-1] * 50
    assert _fast.AddressTable([], []).lookup(_fast.addresses(["x"])).tolist() == [-1]


def test_the_string_table_finds_equal_strings_by_their_characters():
    if _fast.numpy is None:
        pytest.skip("numpy (the fast extra) is not installed")
    keys = [f"m-{n:05d}" for n in range(3000)] + ["", "a" * 9, "ab", "a\x00b"]
    table = _fast.StringTable(keys, range(100, 100 + len(keys)))
    assert table.width == 16  # the longest key, 9 characters, in whole 8-byte words
    twins = ["".join(["m-", k[2:]]) for k in keys[:3000]]  # equal strings, other objects
    assert twins[7] == keys[7] and twins[7] is not keys[7]
    asked = twins[::-1] + [
        "", "a" * 9, "ab", "a\x00b",  # the short keys, an interior NUL
        "ab\x00", "a" * 9 + "b", "a" * 17,  # a trailing NUL, and longer than every key: not equal
        "m-00001é", None, 7, b"m-00001", "nope",  # outside ASCII, not strings, absent
    ]
    got = table.lookup(asked).tolist()
    assert got[:3000] == list(range(3099, 99, -1))
    assert got[3000:] == [3100, 3101, 3102, 3103, -1, -1, -1, -1, -1, -1, -1, -1]
    assert table.lookup([]).tolist() == []
    np = _fast.numpy
    assert table.lookup(list(np.array(keys[:3] + ["nope"]))).tolist() == [100, 101, 102, -1]  # np.str_ items
    # a key outside ASCII: the table answers nothing, and its caller asks the dictionary
    assert _fast.StringTable(["é", "a"], [0, 1]).lookup(["a", "é"]).tolist() == [-1, -1]
    assert _fast.StringTable([], []).lookup(["a"]).tolist() == [-1]


@settings(max_examples=60, deadline=None)
@given(
    keys=st.lists(st.text(alphabet="ab\x00é-0", max_size=12), unique=True, max_size=40),
    extra=st.lists(st.one_of(st.text(alphabet="ab\x00é-0", max_size=20), st.none(), st.integers()), max_size=20),
    picks=st.lists(st.integers(min_value=0, max_value=10**6), max_size=60),
    chunk=st.sampled_from([1, 3, 64]),
)
def test_the_string_table_agrees_with_a_dictionary(keys, extra, picks, chunk):
    """Law: the table's answer is the dictionary's, or -1 (then the caller asks the dictionary); and
    with every key in ASCII, a str equal to a key whose hash no other key shares is always found."""
    if _fast.numpy is None:
        pytest.skip("numpy (the fast extra) is not installed")
    saved = _fast.StringTable.CHUNK
    _fast.StringTable.CHUNK = chunk  # batches cut across chunk boundaries
    try:
        table = _fast.StringTable(keys, range(len(keys)))
        asked = [("#" + keys[p % len(keys)])[1:] for p in picks if keys] + extra  # other objects, equal
        got = table.lookup(asked).tolist()
    finally:
        _fast.StringTable.CHUNK = saved
    index = {k: n for n, k in enumerate(keys)}
    want = [index.get(q, -1) if type(q) is str else -1 for q in asked]
    assert all(g == -1 or g == w for g, w in zip(got, want))
    if keys and all(k.isascii() for k in keys):
        hashes = _fast._row_hash(_fast.numpy.array(keys, dtype=f"S{table.width}")).tolist()
        alone = {k for k, h in zip(keys, hashes) if hashes.count(h) == 1}
        assert [g for g, q in zip(got, asked) if type(q) is str and q in alone] == [
            w for w, q in zip(want, asked) if type(q) is str and q in alone]


def test_keys_that_share_a_hash_are_left_to_the_dictionary(engine, monkeypatch):
    """With a hash that collides for every id of the same length, the screen still equals the oracle:
    the string table answers nothing for those ids and the dictionary does."""
    monkeypatch.setattr(_screen, "_DEDUP_MEASURES", 0)
    monkeypatch.setattr(_screen, "_DEDUP_FROM", 64)
    np = _fast.numpy
    if np is not None:
        monkeypatch.setattr(_fast, "_row_hash", lambda rows: np.full(len(rows), rows.itemsize | 1, dtype=np.uint64))
    synth, reg, oracle = built(2000, 8)
    _fresh(reg)
    mids = sorted(oracle.measures)
    day = D(2015, 3, 1)
    fresh = [("#" + m)[1:] for m in mids] * 3  # every question its own string object
    assert reg.screen(fresh, day).states == [oracle.screen(q, day) for q in fresh]
    if np is not None:
        table = reg._string_table()
        assert table.lookup(fresh[:10]).tolist() == [-1] * 10


class _Store:
    """The parts of a run store NumpyRuns reads: start ordinals and a code byte per run."""

    def __init__(self, starts, codes):
        from array import array

        self.starts = array("i", starts)
        self.codes = bytes(codes)

    def __len__(self):
        return len(self.starts)


_CODE_OUT = next(c for c in range(256) if not _runs_mod.LIVE_OF_CODE[c])


def test_the_per_measure_search_equals_one_searchsorted_over_every_key(monkeypatch):
    """NumpyRuns.screen's two strategies, on every rank (with and without flips) and every boundary."""
    if _fast.numpy is None:
        pytest.skip("numpy (the fast extra) is not installed")
    np = _fast.numpy
    synth, reg, oracle = built(2000, 8)
    stores = list(reg._view_runs(None))
    never = _Store([730_000, 731_000], [_CODE_OUT, _CODE_OUT])  # runs, none in force: no flip
    # measures with no flip first, in the middle and last (their keys are an empty slice)
    stores = [never, _Store([], []), *stores[:100], never, *stores[100:], _Store([], []), never]
    runs = _fast.NumpyRuns(stores)
    flips = np.diff(runs.base)
    assert flips[[0, 1, 102, -2, -1]].tolist() == [0] * 5
    assert runs.widest == flips.max() >= 8
    ranks, ords = [], []
    for r in range(len(runs.base) - 1):
        days = runs.keys[runs.base[r]:runs.base[r + 1]] & ((1 << runs.SHIFT) - 1)
        for o in [700_000, *days.tolist(), *(days - 1).tolist(), 800_000]:
            ranks.append(r)
            ords.append(o)
    order = np.random.default_rng(3).permutation(len(ranks))
    ranks, ords = np.asarray(ranks)[order], np.asarray(ords)[order]
    ranks, ords = np.concatenate((ranks, ranks[::-1])), np.concatenate((ords, ords[::-1]))
    assert len(ranks) > 4096  # a batch large enough for the per-measure search
    one = runs.screen(ranks, ords)  # fewer keys than SEGMENT_KEYS_FROM: one searchsorted
    monkeypatch.setattr(_fast.NumpyRuns, "SEGMENT_KEYS_FROM", 0)
    per_measure = runs.screen(ranks, ords)
    assert per_measure.tolist() == one.tolist()
    expected = [(np.searchsorted(runs.keys[runs.base[r]:runs.base[r + 1]] & ((1 << runs.SHIFT) - 1), o,
                                 side="right") & 1) == 1 for r, o in zip(ranks.tolist(), ords.tolist())]
    assert one.tolist() == expected


def test_screen_columns_refuse_mismatched_lengths_and_report_unknown_targets():
    synth, reg, oracle = built(200, 1)
    with pytest.raises(ValueError, match="3 queries but 2 dates"):
        reg.screen(["a", "b", "c"], [D(2020, 1, 1)] * 2)
    with pytest.raises(s.UnknownTarget):
        reg.screen([("no such thing", D(2020, 1, 1))])
    with pytest.raises(s.UnknownTarget):
        reg.screen(["no such thing"] * 100, D(2020, 1, 1))


def test_a_screening_is_a_sequence_of_hits():
    synth, reg, oracle = built(200, 2)
    mid = sorted(oracle.measures)[0]
    day = oracle.boundaries(mid)[-1]
    cols = reg.screen([mid, mid], [day, D(1990, 1, 1)])
    assert len(cols) == 2 and cols[1] == s.ScreenHit(mid, D(1990, 1, 1), None, ())
    assert cols[:1] == [cols[0]] and list(cols) == [cols[0], cols[1]]
    assert cols.hits == [bool(oracle.screen(mid, day)), False]


def test_flip_days_are_the_days_a_measure_goes_into_or_out_of_force(engine):
    """Relieved is still in force (no flip); suspended and lifted are not. Derived by hand."""
    reg = s.Registry.build(**_one_measure(
        s.Transition("t1", "m", "impose", recorded=D(2020, 1, 1), effective=D(2020, 1, 1)),
        s.Transition("t2", "m", "relieve", recorded=D(2020, 2, 1), effective=D(2020, 2, 1)),
        s.Transition("t3", "m", "suspend", recorded=D(2020, 3, 1), effective=D(2020, 3, 1)),
        s.Transition("t4", "m", "resume", recorded=D(2020, 4, 1), effective=D(2020, 4, 1)),
        s.Transition("t5", "m", "lift", recorded=D(2020, 5, 1), effective=D(2020, 5, 1))))
    tl = reg._d.timelines["m"]
    assert reg._runs(tl, tl.n).flip_days() == (D(2020, 1, 1), D(2020, 3, 1), D(2020, 4, 1), D(2020, 5, 1))
    assert reg._runs(tl, 2).flip_days() == (D(2020, 1, 1),)  # as known on 2020-02-01
    days = [D(2019, 12, 31), D(2020, 1, 1), D(2020, 2, 15), D(2020, 3, 1), D(2020, 3, 31), D(2020, 4, 1),
            D(2020, 4, 30), D(2020, 5, 1), D(2030, 1, 1)]
    expected = [False, True, True, False, False, True, True, False, False]
    for known in (None, D(2020, 2, 1)):
        want = expected if known is None else [False] + [True] * 8
        cols = reg.screen(["m"] * 4096 * 2 + ["m"] * len(days), [D(2020, 1, 1)] * 8192 + days, known=known)
        assert cols.hits[8192:] == want
        assert [h.states[0].transition.id if h.states else None for h in cols[8192:]] == [
            None, "t1", "t2", None, None, "t4", "t4", None, None] if known is None else [
            None, "t1", "t2", "t2", "t2", "t2", "t2", "t2", "t2"]


def test_a_measure_with_hundreds_of_flips_is_screened_like_state(engine):
    """Over 255 flips the pure path's counts no longer fit a byte (it falls back); same verdicts."""
    first = D(2000, 1, 3)
    ts = [s.Transition("t0", "m", "impose", recorded=first, effective=first)]
    for i in range(1, 301):
        day = first + dt.timedelta(days=2 * i)
        ts.append(s.Transition(f"t{i}", "m", "suspend" if i % 2 else "resume", recorded=day, effective=day))
    reg = s.Registry.build(**_one_measure(*ts))
    days = [first + dt.timedelta(days=k) for k in range(-1, 2 * 301 + 2)]
    cols = reg.screen(["m"] * len(days), days)
    assert cols.hits == [str(reg.state("m", x).status) in ("in_force", "relieved") for x in days]
    assert cols.hits[:4] == [False, True, True, False] and cols.hits[-1] is True  # 300 is even: resumed


# -- the build's shortcuts ------------------------------------------------------------


def _one_measure(*transitions):
    return dict(authorities=[s.Authority("EU", "Council", "EU", "Europe/Brussels")],
                measures=[s.Measure("m", "EU", "blocking", "M")], transitions=transitions)


def test_an_epoch_that_is_illegal_as_known_then_is_still_reported():
    # the relieve was back-filled in 2021: as known in 2020 the revoke has nothing to revoke
    with pytest.raises(s.RegistryError) as err:
        s.Registry.build(**_one_measure(
            s.Transition("t1", "m", "impose", recorded=D(2020, 1, 1), effective=D(2020, 1, 1)),
            s.Transition("t2", "m", "relieve", recorded=D(2021, 1, 1), effective=D(2020, 2, 1)),
            s.Transition("t3", "m", "revoke_relief", recorded=D(2020, 3, 1), effective=D(2020, 3, 1))))
    (p,) = err.value.problems
    assert p.record == "t3" and p.field == "action"
    assert str(p.message).endswith("(as known on 2020-03-01)")


def test_a_correction_that_makes_the_latest_epoch_illegal_is_reported_once():
    with pytest.raises(s.RegistryError) as err:
        s.Registry.build(**_one_measure(
            s.Transition("t1", "m", "impose", recorded=D(2020, 1, 1), effective=D(2020, 1, 1)),
            s.Transition("t2", "m", "lift", recorded=D(2020, 2, 1), effective=D(2020, 2, 1)),
            s.Transition("t3", "m", "reimpose", recorded=D(2020, 3, 1), effective=D(2020, 3, 1)),
            s.Transition("t4", "m", "reimpose", recorded=D(2020, 4, 1), effective=D(2020, 1, 15), corrects="t3")))
    (p,) = err.value.problems
    assert p.record == "t4" and "(as known on" not in p.message


def test_prefix_epochs_are_built_on_first_use_with_the_oracle_answer():
    synth, reg, oracle = built(600, 4)
    for mid, tl in list(reg._d.timelines.items())[:40]:
        for k, y in enumerate(tl.epochs[:-1], start=1):
            assert reg.state(mid, y, known=y) == oracle.state(mid, y, y)


def test_the_digest_is_the_sha256_of_the_plain_canonical_document():
    synth, reg, oracle = built(300, 9)
    doc = {
        "info": plain(synth.info),
        "authorities": [plain(a) for a in sorted(synth.authorities, key=lambda a: a.code)],
        "entities": [plain(e) for e in sorted(synth.entities, key=lambda e: e.id)],
        "instruments": [plain(i) for i in sorted(synth.instruments, key=lambda i: i.id)],
        "sources": [plain(x) for x in sorted(synth.sources, key=lambda x: x.id)],
        "measures": [dict(plain(m), transitions=[plain(t, skip=("measure",)) for t in
                                                 canonical(oracle.records[m.id])])
                     for m in sorted(synth.measures, key=lambda m: m.id)],
        "releases": [],
    }
    assert reg.digest == digest_of(doc)


def test_the_generator_is_seeded_and_makes_what_the_benchmarks_need():
    a, b = generate(3000, 1), generate(3000, 1)
    assert a == b and generate(3000, 2) != a
    ts = a.transitions
    assert 2700 <= len(ts) <= 3300 and len(a.measures) == 300
    assert len({m.authority for m in a.measures}) == 6
    assert any(t.corrects and t.effective for t in ts) and any(t.effective is None for t in ts)
    assert any(t.until and t.action == "relieve" for t in ts) and any(t.effective_at for t in ts)
    s.Registry.build(**a.kwargs())  # legal in every epoch


# -- the load cache -----------------------------------------------------------------------


def _loaded_answers_equal_the_oracle(reg, synth, oracle, rnd):
    assert reg.digest == oracle.reg.digest
    mids = sorted(oracle.measures)
    for mid in rnd.sample(mids, min(5, len(mids))):
        for day in oracle.boundaries(mid):
            for known in (None, day):
                assert reg.state(mid, day, known=known) == oracle.state(mid, day, known)
    day = oracle.boundaries(mids[0])[-1]
    assert reg.in_force(day) == oracle.in_force(day)
    assert reg.screen(mids, day).states == [oracle.screen(m, day) for m in mids]


@given(n=st.sampled_from([30, 120]), seed=seeds, other=seeds)
@settings(max_examples=8)
def test_a_cached_load_answers_like_the_oracle_and_follows_file_changes(n, seed, other):
    """Cold, warm (a cache hit: no YAML parsed), after a change, after corruption: the oracle's answers."""
    import random
    import tempfile

    from sanctrack import _loader
    from sanctrack._dump import write_registry

    rnd = random.Random(seed)
    synth, reg, oracle = built(n, seed)
    with tempfile.TemporaryDirectory() as tmp:
        root, cache = Path(tmp) / "reg", Path(tmp) / "cache"
        write_registry(reg, root)
        cold = s.load(root, cache=True, cache_dir=cache)
        (entry,) = sorted(cache.glob("registry-*.json"))
        _loaded_answers_equal_the_oracle(cold, synth, oracle, rnd)
        real = _loader.load_records
        try:
            def refuse(*a, **k):
                raise AssertionError("the YAML was parsed: no cache hit")
            _loader.load_records = refuse
            warm = s.load(root, cache=True, cache_dir=cache)
        finally:
            _loader.load_records = real
        _loaded_answers_equal_the_oracle(warm, synth, oracle, rnd)
        # a changed registry (another seed, same directory): never the stale entry
        synth2, reg2, oracle2 = built(n, seed + other + 1)
        write_registry(reg2, root)
        _loaded_answers_equal_the_oracle(s.load(root, cache=True, cache_dir=cache), synth2, oracle2, rnd)
        # a corrupt entry is ignored and rebuilt
        for e in cache.glob("registry-*.json"):
            e.write_bytes(e.read_bytes()[: len(e.read_bytes()) // 2])
        _loaded_answers_equal_the_oracle(s.load(root, cache=True, cache_dir=cache), synth2, oracle2, rnd)
        assert s.load(root, cache=False).digest == reg2.digest


@pytest.mark.parametrize("known_at", [None, 0.5, 0.8, 0.95])
def test_changes_in_exact_order_equal_a_naive_sort(known_at):
    """Date, then authority, then measure id, then canonical order; corrections and knowledge applied."""
    synth, reg, oracle = built(2000, 8)
    reg._d.changes_cache.clear()
    dates = sorted(oracle.known_dates() - {None})
    known = None if known_at is None else dates[int(len(dates) * known_at)]
    expected = []
    for mid, tl in reg._d.timelines.items():
        recs = [t for t in tl.records if known is None or t.recorded <= known]
        corrected = {t.corrects for t in recs if t.corrects}
        active = [t for t in recs if t.id not in corrected]
        for n, t in enumerate(active):
            if t.effective is not None:
                expected.append((t.effective, tl.measure.authority, mid, n, t.id))
    expected.sort()
    a, b = D(2010, 1, 1), D(2022, 1, 1)
    want = [x[4] for x in expected if a <= x[0] < b]
    assert want and [t.id for t in reg.changes(a, b, known=known)] == want


def test_a_measure_too_big_for_byte_indexes_answers_like_the_oracle():
    """Past 255 records or palette entries a run store's cells are an int array; every answer is the same."""
    from oracle import oracle_state

    first = D(2000, 1, 3)
    ts = [s.Transition("t0", "m", "impose", recorded=first, effective=first)]
    for i in range(1, 300):
        day = first + dt.timedelta(days=3 * i)
        # each relief lapses the next day: a distinct until (and reliefs tuple) per run
        ts.append(s.Transition(f"t{i}", "m", "relieve", recorded=day, effective=day, until=day + dt.timedelta(days=1)))
    args = _one_measure(*ts)
    reg = s.Registry.build(**args)
    runs = reg._d.timelines["m"].latest
    assert type(runs.cells) is not bytes and len(runs.palette) > 256
    m = args["measures"][0]
    for day in [first - dt.timedelta(days=1)] + [first + dt.timedelta(days=k) for k in range(0, 3 * 300 + 2)]:
        assert reg.state("m", day) == oracle_state(reg, ts, {}, m, day), day
    assert str(reg.state("m", first + dt.timedelta(days=3 * 299)).status) == "relieved"
    assert reg.state("m", first + dt.timedelta(days=3 * 299 + 1)).cause == "lapse"


def test_a_small_measure_keeps_its_runs_in_bytes_and_shares_the_base_palette():
    ts = [s.Transition("t1", "m", "impose", recorded=D(2020, 1, 1), effective=D(2020, 1, 1)),
          s.Transition("t2", "m", "suspend", recorded=D(2020, 2, 1), effective=D(2020, 2, 1))]
    reg = s.Registry.build(**_one_measure(*ts))
    runs = reg._d.timelines["m"].latest
    # two runs: code, then (transition, reliefs, until, pending, scope) indexes
    assert type(runs.cells) is bytes and len(runs.cells) == 2 * 6
    assert runs.cells[2:] == bytes([1, 1, 0, 1, 0, 2, 1, 0, 1, 0])
    assert runs.palette is _runs_mod._BASE


@pytest.mark.parametrize("n", [3, 40])
def test_a_run_answer_is_made_once_and_kept_in_a_tuple_or_past_32_runs_a_list(n):
    first = D(2000, 1, 3)
    ts = [s.Transition("t0", "m", "impose", recorded=first, effective=first)]
    for i in range(1, n):
        day = first + dt.timedelta(days=2 * i)
        ts.append(s.Transition(f"t{i}", "m", "suspend" if i % 2 else "resume", recorded=day, effective=day))
    reg = s.Registry.build(**_one_measure(*ts))
    runs = reg._d.timelines["m"].latest
    runs.answers = None
    days = [first + dt.timedelta(days=k) for k in range(-1, 2 * n)]
    made = [reg.state("m", x) for x in days]
    # the start days, then one answer per run and the state before them
    assert type(runs.answers) is (tuple if n <= 32 else list) and len(runs.answers) == 2 * n + 1
    assert list(runs.answers[:n]) == list(runs) and list(runs.answers[n:]) == [made[0], *made[1::2]]
    assert all(reg.state("m", x) is a for x, a in zip(days, made))
    assert [a.version for a in made[:4]] == [0, 1, 1, 2] and made[0].status is None
    assert runs.states() == tuple(made[1::2])


def test_screening_one_or_no_question_by_flip_days(engine):
    ts = [s.Transition("t1", "m", "impose", recorded=D(2020, 1, 1), effective=D(2020, 1, 1)),
          s.Transition("t2", "m", "suspend", recorded=D(2020, 2, 1), effective=D(2020, 2, 1))]
    reg = s.Registry.build(**_one_measure(*ts))
    reg._flips_of(None)  # the pure path's flip-days index exists: a single question uses it
    assert reg.screen(["m"], [D(2020, 1, 15)]).hits == [True]
    assert reg.screen(["m"], [D(2020, 2, 1)]).hits == [False]
    assert reg.screen([], []).hits == []
    assert reg.screen(["m", "m"], [D(2019, 12, 31), D(2020, 1, 1)]).hits == [False, True]


def test_the_point_shortcut_answers_as_the_timeline_path_and_only_for_everything_known():
    reg = s.load()
    mid = "us-ofac-belavia-sdn"
    with pytest.raises(s.UnknownMeasure):
        reg.state(["not", "hashable"], "2025-09-20")
    with pytest.raises(s.UnknownMeasure):
        reg.state("us-ofac-belavia-sdm", "2025-09-20")
    first = reg.state(mid, "2025-09-20")  # builds the runs (if not yet) and registers the shortcut
    assert reg._d.latest[mid] is reg._d.timelines[mid].latest
    assert reg.state(mid, dt.date(2025, 9, 20)) is first is reg.state(mid, "2025-09-20")
    assert str(first.status) == "relieved" and first.reliefs[0].label == "GL 11"
    # an instant still goes through the timeline (its authority's zone): 2025-11-04 is the delisting day
    assert str(reg.state(mid, "2025-11-04T03:00:00Z").status) == "relieved"  # 22:00 on the 3rd in Washington
    assert str(reg.state(mid, "2025-11-04").status) == "lifted"
    # a view as known earlier shares the shortcut's dictionary but never uses it
    assert str(reg.as_known_on("2025-10-01").state(mid, "2025-11-10").status) == "relieved"
    assert str(reg.state(mid, "2025-11-10", known="2025-10-01").status) == "relieved"
    with pytest.raises(s.InvalidDate):
        reg.state(mid, "2025-11")


def test_the_point_tuple_answers_as_the_runs_and_a_stale_one_is_only_a_slower_path():
    # one measure of 3 runs (a point tuple) and one of 40 (a list: never kept as a point tuple)
    first = D(2000, 1, 3)
    ts, days = [], {}
    for mid, n in (("m", 3), ("w", 40)):
        for i in range(n):
            day = first + dt.timedelta(days=2 * i)
            act = "impose" if i == 0 else ("suspend" if i % 2 else "resume")
            ts.append(s.Transition(f"{mid}{i}", mid, act, recorded=day, effective=day))
        days[mid] = [first + dt.timedelta(days=k) for k in range(-1, 2 * n)]
    records = _one_measure(*ts[:3])
    records["measures"] = [*records["measures"], s.Measure("w", "EU", "blocking", "W")]
    records["transitions"] = ts
    reg = s.Registry.build(**records)
    # the runs' answers, marked for the query date (after the knowledge date, the kept projection twin)
    want = {mid: [reg._mark(reg._d.timelines[mid].latest.at(x.toordinal()), x.toordinal(), None) for x in xs]
            for mid, xs in days.items()}
    for _ in range(2):  # first asks (answers made, the point tuple kept), then kept answers
        for mid, xs in days.items():
            assert [reg.state(mid, x) for x in xs] == want[mid]
            assert all(reg.state(mid, x) is w for x, w in zip(xs, want[mid]))
    p = reg._d.points["m"]
    assert p is reg._d.timelines["m"].latest.answers and len(p) == 7
    assert p[:3] == tuple(reg._d.timelines["m"].latest) and "w" not in reg._d.points
    # an answer made elsewhere replaces the runs' tuple: the kept one lacks it and the path goes on to the runs
    runs = reg._d.timelines["m"].latest
    runs.answers = None
    x = days["m"][3]
    got = reg.state("m", x)  # the stale tuple still holds it
    assert got is want["m"][3] and reg._d.points["m"] is p
    reg._d.points["m"] = p[:3] + (None,) * 4  # a tuple from before any answer was made
    assert reg.state("m", x) == want["m"][3] and reg._d.points["m"] is runs.answers
    # instants go through the timeline even with a point tuple kept
    assert reg.state("m", dt.datetime(2000, 1, 6, 12, tzinfo=dt.timezone.utc)) == reg.state("m", days["m"][4])
