"""Testing your own system against sanctrack with property-based tests.

Copy this file into your test suite and replace ``MySanctionsStore`` by your
system. Here the "system" is a typical downstream consumer: it copies each
measure's versions (``Registry.history``) into an SQL table and answers "was
this measure in force on that day?" with a query. The tests ask it and
sanctrack the same questions on registries hypothesis invents, on the dates
where bugs live (on, just before and just after every boundary), and shrink
any disagreement to the smallest registry that shows it.

Run with::

    pip install 'sanctrack[strategies]' pytest
    pytest examples/property_test_example.py
"""

from __future__ import annotations

import datetime as dt
import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from sanctrack import Registry
from sanctrack.strategies import RegistryMachine, query_dates, registries


class MySanctionsStore:
    """The system under test: sanctrack's versions copied into SQLite."""

    def __init__(self, registry: Registry, known: dt.date | None = None) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE TABLE versions (measure TEXT, start TEXT, end_ TEXT, status TEXT)")
        for m in registry.measures:
            for v in registry.history(m.id, known=known):
                self.db.execute(
                    "INSERT INTO versions VALUES (?, ?, ?, ?)",
                    (m.id, v.valid.start.isoformat(),
                     v.valid.end.isoformat() if v.valid.end else None,
                     None if v.status is None else str(v.status)),  # None: the measure does not exist yet
                )

    def status(self, measure_id: str, on: dt.date) -> str | None:
        row = self.db.execute(
            "SELECT status FROM versions WHERE measure = ? AND start <= ? AND (end_ IS NULL OR ? < end_)",
            (measure_id, on.isoformat(), on.isoformat()),
        ).fetchone()
        return row[0] if row else None

    def in_force(self, measure_id: str, on: dt.date) -> bool:
        return self.status(measure_id, on) in ("in_force", "relieved")


# -- 1. a property: on any registry and any boundary date, the store agrees ----------


@settings(max_examples=50, deadline=None)
@given(registries(with_corrections=True, with_pending=True, with_windows=True), st.data())
def test_store_agrees_with_sanctrack(reg, data):
    store = MySanctionsStore(reg)
    for _ in range(5):
        on = data.draw(query_dates(reg), label="on")
        for m in reg.measures:
            expected = reg.state(m.id, on)
            assert store.status(m.id, on) == (str(expected.status) if expected.exists else None)
            assert store.in_force(m.id, on) == expected.in_force


# -- 2. a state machine: the registry grows step by step, the store must keep up -----


@settings(max_examples=20, deadline=None)  # RegistryMachine runs 200 examples by default
class StoreMachine(RegistryMachine):
    """After every step (a new transition, correction, announcement, release…)
    sanctrack hands each answer it gives to ``check_state``."""

    def check_state(self, registry, measure_id, on, known, state):
        key = (registry.digest, known)
        if getattr(self, "_store_key", None) != key:  # re-import after each change
            self._store, self._store_key = MySanctionsStore(registry, known), key
        expected = str(state.status) if state.exists else None
        assert self._store.status(measure_id, on) == expected


TestStoreMachine = StoreMachine.TestCase
