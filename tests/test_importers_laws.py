"""Laws of the common importer shape, on generated snapshots, against a plain oracle.

* ``diff`` gives an impose per key only in the new snapshot, a lift per key only in the
  old one and an amend per key whose programme, name, aliases or identifiers differ
  (the oracle compares plain tuples); nothing else;
* a change is dated by the list when the listing gives a date inside the window, else by
  the window (old + 1 day, new), and ``recorded`` is the new snapshot's date;
* ``fold`` is the concatenation of the pairwise diffs;
* the records of a fold always build into a registry in which every key of the last
  snapshot that changed is in force on its date and every key gone from it is not.
"""

from __future__ import annotations

import datetime as dt
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from sanctrack.importers import Listing, ListSnapshot, build_import, diff, fold

KEYS = [f"K{i}" for i in range(8)]
START = dt.date(2020, 1, 1)


def _listing(key: str, program: str, name: str, alias: bool, own: int | None, day: dt.date) -> Listing:
    return Listing(key=key, name=name, kind="person", program=program,
                   aliases=("alias " + name,) if alias else (), identifiers=(f"t:{key}",),
                   effective=None if own is None else day - dt.timedelta(days=own))


@st.composite
def snapshots(draw):
    n = draw(st.integers(2, 5))
    gaps = draw(st.lists(st.integers(1, 40), min_size=n, max_size=n))
    out = []
    day = START
    for i, gap in enumerate(gaps):
        day = day + dt.timedelta(days=gap)
        keys = draw(st.lists(st.sampled_from(KEYS), unique=True, min_size=1))
        entries = {}
        for k in keys:
            entries[k] = _listing(k, draw(st.sampled_from(["A", "B", "A; B"])), draw(st.sampled_from(["x", "y"])),
                                  draw(st.booleans()), draw(st.one_of(st.none(), st.integers(0, 60))), day)
        out.append(ListSnapshot("un", f"/snap/{i}.xml", day, f"{i:064x}", entries))
    return out


def _oracle(old: ListSnapshot, new: ListSnapshot) -> set[tuple[str, str]]:
    def shape(e):
        return (e.program, e.name, tuple(sorted(set(e.aliases))), tuple(sorted(set(e.identifiers))))

    o, n = old.entries, new.entries
    return ({(k, "impose") for k in n.keys() - o.keys()} | {(k, "lift") for k in o.keys() - n.keys()}
            | {(k, "amend") for k in o.keys() & n.keys() if shape(o[k]) != shape(n[k])})


@settings(max_examples=200, deadline=None)
@given(snaps=snapshots())
def test_diff_matches_the_oracle_and_dates_by_list_or_window(snaps):
    for old, new in pairwise(snaps):
        changes = diff(old, new, min_ratio=0)
        assert {(c.key, c.action) for c in changes} == _oracle(old, new)
        assert len(changes) == len(_oracle(old, new))
        window = (old.date + dt.timedelta(days=1), new.date)
        for c in changes:
            assert c.recorded == new.date
            own = c.new.effective if c.action == "impose" else None
            if own is not None and window[0] <= own:
                assert (c.effective, c.effective_window) == (own, None)
            else:
                assert (c.effective, c.effective_window, c.day) == (None, window, new.date)


@settings(max_examples=200, deadline=None)
@given(snaps=snapshots())
def test_fold_is_the_pairwise_diffs_and_its_records_build(snaps):
    changes = fold(snaps, min_ratio=0)
    assert changes == tuple(c for a, b in pairwise(snaps) for c in diff(a, b, min_ratio=0))
    if not changes:
        return
    reg = build_import("un", snaps, changes).registry()
    last = snaps[-1]
    changed = {c.key for c in changes}
    ever = {k for s in snaps for k in s.entries}
    for key in changed:
        state = reg.state(f"un-sc-{key.lower()}", last.date)
        assert state.in_force == (key in last.entries), (key, state)
    assert {m.id for m in reg.measures} == {f"un-sc-{k.lower()}" for k in changed} <= {
        f"un-sc-{k.lower()}" for k in ever}
