"""A seeded synthetic registry for benchmarks and property tests.

``generate(n, seed)`` returns the records of a registry with about ``n``
transitions (~10 per measure): several authorities in different time zones,
reliefs with ``until`` (and their extensions and revocations), measures that
expire and are renewed, suspensions, lifts and re-impositions, pending
announcements later made effective by a correcting record, corrections that
move an effective date, intra-day instants (``effective_at``), bracketed dates
(``effective_window``) and measures back-filled into the registry years after
the fact. Every sequence is legal in every knowledge epoch by construction
(the state machine is simulated while generating; moved dates are re-checked
with :func:`sanctrack._statemachine.replay`).

The same seed always gives the same records::

    python benchmarks/synth.py 100000 --seed 7      # prints a summary
    python benchmarks/synth.py 100000 --yaml DIR    # writes a YAML registry (needs sanctrack._dump)
"""

from __future__ import annotations

import argparse
import datetime as _dt
import random
import sys
from typing import Any, NamedTuple

from sanctrack import (
    Action,
    Authority,
    Entity,
    IllegalTransition,
    Instrument,
    Measure,
    RegistryInfo,
    Scope,
    Source,
    Status,
    Transition,
)
from sanctrack._statemachine import TABLE, Machine, replay
from sanctrack._time import zone

__all__ = ["Synth", "generate", "AUTHORITIES", "EPOCH_START", "EPOCH_END"]

AUTHORITIES = (
    ("US-OFAC", "Office of Foreign Assets Control", "US", "America/New_York"),
    ("US-BIS", "Bureau of Industry and Security", "US", "America/New_York"),
    ("EU", "Council of the European Union", "EU", "Europe/Brussels"),
    ("UK", "HM Treasury OFSI", "UK", "Europe/London"),
    ("LT", "Government of Lithuania", "LT", "Europe/Vilnius"),
    ("JP", "Ministry of Finance of Japan", "JP", "Asia/Tokyo"),
)
KINDS = ("blocking", "sectoral", "export_control", "airspace", "travel", "trade", "financial")
ENTITY_KINDS = ("organisation", "person", "aircraft", "vessel", "government_body")
PROGRAMS = tuple(f"PROG-{i}" for i in range(12))
EPOCH_START = _dt.date(2000, 1, 1)
EPOCH_END = _dt.date(2026, 6, 30)


class Synth(NamedTuple):
    """The records of a synthetic registry (pass ``**s.kwargs()`` to ``Registry.build``)."""

    info: RegistryInfo
    authorities: tuple[Authority, ...]
    entities: tuple[Entity, ...]
    instruments: tuple[Instrument, ...]
    sources: tuple[Source, ...]
    measures: tuple[Measure, ...]
    transitions: tuple[Transition, ...]

    def kwargs(self) -> dict[str, Any]:
        return dict(info=self.info, authorities=self.authorities, entities=self.entities,
                    instruments=self.instruments, sources=self.sources, measures=self.measures,
                    transitions=self.transitions)


def _day(o: int) -> _dt.date:
    return _dt.date.fromordinal(o)


def generate(n: int, seed: int = 0, *, per_measure: int = 10, start: _dt.date = EPOCH_START,
             span_days: int | None = None) -> Synth:
    """Records of a registry with about ``n`` transitions, the same for the same arguments."""
    rnd = random.Random(seed)
    n_measures = max(1, n // per_measure)
    n_entities = max(3, n_measures // 3)
    auth = tuple(Authority(c, name, j, tz) for c, name, j, tz in AUTHORITIES)
    ents = tuple(Entity(f"e{i:07d}", ENTITY_KINDS[i % len(ENTITY_KINDS)], f"Entity {i} Holding",
                        aliases=(f"ENT-{i}",), identifiers=(f"synth:{i}",)) for i in range(n_entities))
    srcs = tuple(Source(f"s{i:03d}", "Synthetic Gazette", f"https://example.org/s/{i}") for i in range(20))
    n_inst = max(4, n_measures // 50)
    insts = tuple(Instrument(f"i{i:05d}", "general_licence" if i % 2 else "sdn_action", f"Instrument {i}",
                             number=f"GL {i}" if i % 2 else None, authority=auth[i % len(auth)].code)
                  for i in range(n_inst))
    inst_ids = [i.id for i in insts]
    gl_ids = [i.id for i in insts if i.kind == "general_licence"] or inst_ids
    src_tuples = [(s.id,) for s in srcs]
    inst_map = {i.id: i for i in insts}
    scopes = (None, Scope(authorises="civil aviation safety"), Scope(authorises="humanitarian trade",
                                                                     excludes=("military end use",)))
    tzinfo = {a.code: zone(a.timezone) for a in auth}
    span = span_days if span_days is not None else (EPOCH_END - start).days - 400
    base = start.toordinal()
    measures: list[Measure] = []
    transitions: list[Transition] = []
    # ~10 transitions per measure, counting pending announcements and corrections
    steps_lo, steps_hi = max(1, per_measure - 4), max(1, per_measure + 2)
    for mi in range(n_measures):
        a = auth[rnd.randrange(len(auth))]
        mid = f"m{mi:07d}"
        targets = tuple(sorted({ents[rnd.randrange(n_entities)].id for _ in range(1 + (rnd.random() < 0.3))}))
        measures.append(Measure(mid, a.code, KINDS[rnd.randrange(len(KINDS))], f"Measure {mi}",
                                targets=targets, program=PROGRAMS[rnd.randrange(len(PROGRAMS))],
                                sources=src_tuples[rnd.randrange(len(src_tuples))]))
        recs = _walk(rnd, mid, a.code, tzinfo[a.code], base + rnd.randrange(span),
                     rnd.randint(steps_lo, steps_hi), gl_ids, inst_ids, src_tuples, scopes, ents, inst_map)
        transitions.extend(recs)
    info = RegistryInfo(name=f"synthetic-{n}-seed{seed}", version="1")
    return Synth(info, auth, ents, insts, srcs, tuple(measures), tuple(transitions))


def _walk(rnd: random.Random, mid: str, authority: str, tz: _dt.tzinfo, day: int, steps: int,
          gl_ids: list[str], inst_ids: list[str], src_tuples: list[tuple[str, ...]], scopes: tuple,
          ents: tuple[Entity, ...], inst_map: dict) -> list[Transition]:
    """One measure's records: a random legal walk through the state machine."""
    m = Machine()
    out: list[Transition] = []
    effective: list[Transition] = []
    recorded = 0
    backfill = rnd.random() < 0.1  # the whole measure entered the registry late
    n = 0
    prev_eff = day - 1
    for step in range(steps):
        # let the lapses before ``day`` pass, as the replay will
        while True:
            nl = m.next_lapse()
            if nl is None or nl.toordinal() >= day:
                break
            m.lapse(nl)
        act = _pick(rnd, m, step)
        eff = _day(day)
        kw: dict[str, Any] = {}
        if act in (Action.IMPOSE, Action.REIMPOSE) and rnd.random() < 0.2:
            kw["until"] = _day(day + rnd.randint(90, 400))
        elif act is Action.RELIEVE:
            kw["instrument"] = gl_ids[rnd.randrange(len(gl_ids))]
            kw["scope"] = scopes[rnd.randrange(len(scopes))]
            if rnd.random() < 0.6:
                kw["until"] = _day(day + rnd.randint(30, 400))
        elif act is Action.EXTEND:
            if m.reliefs and (m.until is None or rnd.random() < 0.7):
                rid = rnd.choice(sorted(m.reliefs))
                kw["relief"] = rid
                kw["until"] = _day(max(day + 1, (m.reliefs[rid].until or eff).toordinal()) + rnd.randint(30, 365))
            else:
                kw["until"] = _day(max(day + 1, (m.until or eff).toordinal()) + rnd.randint(90, 365))
        elif act is Action.REVOKE_RELIEF and rnd.random() < 0.5:
            kw["relief"] = rnd.choice(sorted(m.reliefs))
        elif act is Action.AMEND:
            if rnd.random() < 0.5:
                kw["program"] = PROGRAMS[rnd.randrange(len(PROGRAMS))]
            else:
                kw["targets"] = (ents[rnd.randrange(len(ents))].id,)
        if "instrument" not in kw and rnd.random() < 0.5:
            kw["instrument"] = inst_ids[rnd.randrange(len(inst_ids))]
        if rnd.random() < 0.03:
            # 04:00-22:30 local: never in a daylight-saving gap or fold (a wall time there is not one
            # instant, and Python never finds it equal to the same instant in another zone)
            kw["effective_at"] = _dt.datetime(eff.year, eff.month, eff.day, rnd.randint(4, 22),
                                              rnd.choice((0, 30)), tzinfo=tz)
        elif rnd.random() < 0.03:
            kw["effective_window"] = (_day(day - rnd.randint(0, 10)), _day(day + rnd.randint(0, 10)))
        corrects = None
        if step > 0 and rnd.random() < 0.05 and day - prev_eff > 2:
            # announced before it took effect: a pending record, then the effective one corrects it
            ann = rnd.randint(prev_eff + 1, day - 1)
            recorded = max(recorded, ann)
            n += 1
            pend = Transition(f"{mid}-t{n:02d}", mid, act, _day(recorded), announced=_day(ann),
                              sources=src_tuples[rnd.randrange(len(src_tuples))], confidence="reported",
                              **{k: v for k, v in kw.items() if k in ("until", "relief", "program", "targets")})
            out.append(pend)
            corrects = pend.id
        recorded = max(recorded, day + rnd.randint(0, 5))
        n += 1
        t = Transition(f"{mid}-t{n:02d}", mid, act, _day(recorded), effective=eff,
                       announced=_day(day - rnd.randint(0, 3)) if rnd.random() < 0.5 else None,
                       sources=src_tuples[rnd.randrange(len(src_tuples))], corrects=corrects, **kw)
        m.apply(t, inst_map)
        m.lapse(eff)
        out.append(t)
        effective.append(t)
        prev_eff = day
        day += rnd.randint(1, 900) if rnd.random() < 0.9 else rnd.randint(1, 5)
    # a correction moving one effective date (kept only if the moved sequence is still legal)
    if len(effective) > 1 and rnd.random() < 0.3:
        i = rnd.randrange(len(effective))
        old = effective[i]
        if (old.corrects is None and old.effective_at is None and old.effective_window is None
                and old.action is not Action.RELIEVE):  # relieves are referenced by id
            shift = rnd.randint(-20, 20) or 1
            new_eff = old.effective.toordinal() + shift  # type: ignore[union-attr]
            lo = effective[i - 1].effective.toordinal() if i else -10**9  # type: ignore[union-attr]
            hi = effective[i + 1].effective.toordinal() if i + 1 < len(effective) else 10**9  # type: ignore[union-attr]
            if old.until is not None and old.until.toordinal() <= new_eff:
                new_eff = old.effective.toordinal()  # type: ignore[union-attr]
            if not lo < new_eff < hi:
                new_eff = old.effective.toordinal()  # type: ignore[union-attr]
            recorded = max(recorded, old.recorded.toordinal() + rnd.randint(1, 400))
            n += 1
            fix = Transition(f"{mid}-t{n:02d}", mid, old.action, _day(recorded), effective=_day(new_eff),
                             until=old.until, instrument=old.instrument, scope=old.scope, relief=old.relief,
                             program=old.program, targets=old.targets, sources=old.sources, corrects=old.id,
                             note="date corrected")
            moved = effective[:i] + [fix] + effective[i + 1:]
            try:
                replay(moved, program=None, targets=(), instruments=inst_map)
            except IllegalTransition:
                fix = Transition(fix.id, mid, old.action, fix.recorded, effective=old.effective, until=old.until,
                                 instrument=old.instrument, scope=old.scope, relief=old.relief, program=old.program,
                                 targets=old.targets, sources=old.sources, corrects=old.id,
                                 confidence="confirmed", note="source corrected")
            out.append(fix)
    # sometimes an announcement still pending at the end
    if rnd.random() < 0.05 and m.status in (Status.IN_FORCE, Status.RELIEVED, Status.SUSPENDED):
        ann = prev_eff + rnd.randint(1, 60)
        recorded = max(recorded, ann)
        n += 1
        out.append(Transition(f"{mid}-t{n:02d}", mid, Action.LIFT, _day(recorded), announced=_day(ann),
                              sources=src_tuples[0], confidence="reported", note="envoy statement"))
    if backfill:
        late = _day(max(recorded, out[-1].when.toordinal()) + rnd.randint(30, 2000))
        out = [_recorded(t, late) for t in out]
    return out


def _recorded(t: Transition, day: _dt.date) -> Transition:
    import attrs

    return attrs.evolve(t, recorded=day)


_WEIGHTS: dict[Status | None, tuple[tuple[Action, float], ...]] = {
    None: ((Action.IMPOSE, 1.0),),
    Status.IN_FORCE: ((Action.RELIEVE, 0.35), (Action.AMEND, 0.15), (Action.EXTEND, 0.1),
                      (Action.SUSPEND, 0.07), (Action.LIFT, 0.2)),
    Status.RELIEVED: ((Action.REVOKE_RELIEF, 0.25), (Action.EXTEND, 0.2), (Action.RELIEVE, 0.1),
                      (Action.LIFT, 0.12), (Action.AMEND, 0.1), (Action.SUSPEND, 0.05)),
    Status.SUSPENDED: ((Action.RESUME, 0.5), (Action.LIFT, 0.2), (Action.AMEND, 0.1), (Action.EXTEND, 0.1)),
    Status.LIFTED: ((Action.REIMPOSE, 1.0),),
    Status.EXPIRED: ((Action.REIMPOSE, 1.0),),
}


def _pick(rnd: random.Random, m: Machine, step: int) -> Action:
    choices = _WEIGHTS[m.status]
    total = sum(w for _, w in choices)
    x = rnd.random() * total
    act = choices[-1][0]  # what rounding leaves x at after the last weight
    for a, w in choices:
        x -= w
        if x <= 0:
            act = a
            break
    assert m.status in TABLE[act].sources
    return act


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("n", type=int)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--yaml", metavar="DIR", help="write the registry as YAML files (needs sanctrack._dump)")
    args = p.parse_args(argv)
    s = generate(args.n, args.seed)
    actions: dict[str, int] = {}
    for t in s.transitions:
        key = "pending" if t.effective is None else str(t.action)
        actions[key] = actions.get(key, 0) + 1
    print(f"{len(s.measures)} measures, {len(s.transitions)} transitions, {len(s.entities)} entities")
    print("  " + ", ".join(f"{k}={v}" for k, v in sorted(actions.items())))
    print(f"  corrections={sum(t.corrects is not None for t in s.transitions)}, "
          f"with until={sum(t.until is not None for t in s.transitions)}")
    if args.yaml:
        from sanctrack import Registry
        from sanctrack._dump import write_registry  # type: ignore[import-not-found]

        write_registry(Registry.build(**s.kwargs()), args.yaml)
        print(f"written to {args.yaml}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
