"""Changes between list snapshots as sanctrack records (pure: no files, no clock).

Per list (:data:`LISTS`), each listing key becomes a measure (:func:`measure_kind`) of
the list's authority on one entity (the listing's target: an OFAC party, an
OpenSanctions entity; else the listing itself), and each :class:`Change` a transition:

* ``impose`` (``reimpose`` after a lift), ``amend`` (with ``changes`` old -> new, and
  the new ``program`` when it changed), ``lift``;
* dated by the list (``effective``; ``confidence: confirmed`` for an official list,
  ``reported`` for OpenSanctions), or by the window between the two snapshots
  (``effective`` = its last day, ``effective_window`` = the window, ``confidence:
  inferred``);
* ``recorded`` = the publication date of the snapshot that shows the change;
* a measure whose first change is not an ``impose`` gets a *baseline* impose from the
  older snapshot: dated by the list when the listing has its own date, else
  "listed by" that snapshot's date (``inferred``; nothing earlier is known).

Each snapshot file becomes a source and an instrument (the list as published that
day); a listing's own legal act (an EU regulation, an OFAC legal basis) becomes an
instrument of its own, cited by the transitions the list dates.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

import attrs

from sanctrack import Authority, Entity, Instrument, Measure, Registry, RegistryInfo, Source, Transition

from ._sdn_records import AUTHORITY as OFAC
from ._shape import Change, Listing, ListSnapshot

__all__ = ["ListSpec", "LISTS", "ListImport", "build_import", "slug"]


@attrs.frozen(slots=True)
class ListSpec:
    """How one list maps to records."""

    code: str  # the list's name in ids: un, eu-fsf, ...
    title: str
    authority: Authority
    publisher: str
    url: str
    entity_prefix: str
    measure_prefix: str
    own_dates: str  # the confidence of a date the list itself gives
    act_kind: str = "notice"


LISTS: dict[str, ListSpec] = {
    "un": ListSpec(
        "un", "UN Security Council Consolidated List",
        Authority(code="UN-SC", name="United Nations Security Council", jurisdiction="UN",
                  timezone="America/New_York"),
        "United Nations Security Council", "https://scsanctions.un.org/resources/xml/en/consolidated.xml",
        "un", "un-sc", "confirmed"),
    "eu-fsf": ListSpec(
        "eu-fsf", "EU Financial Sanctions File",
        Authority(code="EU", name="Council of the European Union", jurisdiction="EU", timezone="Europe/Brussels"),
        "European Commission (FSF)",
        "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content",
        "eu-fsf", "eu-fsf-freeze", "confirmed", "regulation"),
    "ofac-advanced": ListSpec(
        "ofac-advanced", "OFAC sanctions list (Advanced XML)",
        OFAC,
        "US Treasury OFAC",
        "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN_ADVANCED.XML",
        "ofac", "us-ofac-entry", "confirmed", "sdn_action"),
    "ftm": ListSpec(
        "ftm", "OpenSanctions (FollowTheMoney)",
        Authority(code="OPENSANCTIONS", name="Sanctioning authorities as recorded by OpenSanctions",
                  jurisdiction="INT", timezone="UTC"),
        "OpenSanctions", "https://data.opensanctions.org/datasets/latest/sanctions/entities.ftm.json",
        "os", "os", "reported"),
    "ofac-sdn": ListSpec(
        "ofac-sdn", "OFAC SDN list (sdn.csv)",
        OFAC,
        "US Treasury OFAC", "https://www.treasury.gov/ofac/downloads/sdn.csv",
        "ofac", "us-ofac-sdn", "confirmed", "sdn_action"),
}

_BAD = re.compile(r"[^a-z0-9._-]+")


def slug(text: str) -> str:
    """A registry id fragment: lower case, runs of other characters as ``-``."""
    s = _BAD.sub("-", text.lower()).strip("-.")
    return s or "x"


@attrs.frozen(slots=True)
class ListImport:
    """The records imported from snapshots of one list (the writer's input)."""

    list: str
    snapshots: tuple[ListSnapshot, ...] = attrs.field(repr=lambda s: f"<{len(s)} snapshots>")
    changes: tuple[Change, ...] = attrs.field(repr=False)
    program: str | None
    authorities: tuple[Authority, ...]
    entities: tuple[Entity, ...]
    instruments: tuple[Instrument, ...]
    sources: tuple[Source, ...]
    measures: tuple[Measure, ...]
    transitions: tuple[Transition, ...]

    @property
    def info(self) -> RegistryInfo:
        spec = LISTS[self.list]
        first, last = self.snapshots[0], self.snapshots[-1]
        scope = f" ({self.program})" if self.program else ""
        return RegistryInfo(
            name=f"{spec.code}-import{'-' + slug(self.program) if self.program else ''}",
            version=last.date.isoformat(),
            description=(f"{spec.title}{scope}: transitions from {len(self.snapshots)} dated "
                         f"cop{'y' if len(self.snapshots) == 1 else 'ies'}, {first.date} to {last.date}, "
                         "by sanctrack.importers"),
        )

    def registry(self) -> Registry:
        """Build a :class:`sanctrack.Registry` through the public constructor."""
        return Registry.build(info=self.info, authorities=self.authorities, entities=self.entities,
                              instruments=self.instruments, sources=self.sources, measures=self.measures,
                              transitions=self.transitions)


def _source_id(spec: ListSpec, s: ListSnapshot) -> str:
    return f"{spec.code}-file-{s.date.isoformat()}-{s.sha256[:8]}"


def _list_instrument_id(spec: ListSpec, s: ListSnapshot) -> str:
    return f"{spec.code}-list-{s.date.isoformat()}-{s.sha256[:8]}"


def _act_id(spec: ListSpec, act: str) -> str:
    return f"{spec.code}-act-{slug(act)[:80]}"


def _act_kind(spec: ListSpec, act: str) -> str:
    if act.lower().startswith("executive order"):
        return "executive_order"
    return spec.act_kind


def measure_kind(spec: ListSpec, e: Listing) -> str:
    """The sanctrack measure kind of a listing.

    OFAC Advanced says what an entry does: ``Block`` -> ``blocking``; a sectoral
    directive only (the SSI list) -> ``sectoral``; anything else (``Reject``: the
    non-SDN lists) -> ``financial``. OpenSanctions does not say -> ``programme``. The
    other lists are asset freezes -> ``blocking``.
    """
    if spec.code == "ofac-advanced":
        if "Block" in e.measures:
            return "blocking"
        if any("Sectoral Directive" in m for m in e.measures):
            return "sectoral"
        return "financial"
    if spec.code == "ftm":
        return "programme"
    return "blocking"


def entity_key(e: Listing) -> str:
    return e.target or e.key


def build_import(
    list_code: str,
    snapshots: Sequence[ListSnapshot],
    changes: Sequence[Change],
    *,
    program: str | None = None,
) -> ListImport:
    """Turn the changes along ``snapshots`` (oldest first) into records."""
    spec = LISTS[list_code]
    snaps = tuple(sorted(snapshots, key=lambda s: s.date))
    by_path = {s.path: s for s in snaps}
    by_date = {s.date: s for s in snaps}
    transitions: list[Transition] = []
    listed: dict[str, bool] = {}
    latest: dict[str, Listing] = {}
    names: dict[str, list[str]] = {}
    first_program: dict[str, str] = {}
    cited: dict[str, set[str]] = {}
    acts: dict[str, str] = {}
    used: set[str] = set()

    def note(e: Listing) -> None:
        ek = entity_key(e)
        names.setdefault(ek, [])
        for n in (e.name, *e.aliases):
            if n not in names[ek]:
                names[ek].append(n)
        latest[e.key] = e

    ids: set[str] = set()

    def _unique(tid: str) -> str:  # two copies of one day can change a measure twice
        n, out = 1, tid
        while out in ids:
            n += 1
            out = f"{tid}-{n}"
        ids.add(out)
        return out

    def snapshot_before(s: ListSnapshot) -> ListSnapshot:
        i = snaps.index(s)
        return snaps[i - 1] if i else s

    for ch in sorted(changes, key=lambda c: (c.recorded, c.key)):
        new = by_path.get(ch.snapshot or "") or by_date[ch.recorded]
        old = snapshot_before(new)
        mid = f"{spec.measure_prefix}-{slug(ch.key)}"
        srcs = {_source_id(spec, old), _source_id(spec, new)} if old is not new else {_source_id(spec, new)}
        if ch.key not in listed and ch.action != "impose":
            base = ch.old
            assert base is not None
            own = base.effective
            if own is not None and own <= old.date:
                when, conf, inst = own, spec.own_dates, None
                if base.instrument:
                    inst = _act_id(spec, base.instrument)
                    acts[inst] = base.instrument
                note_text = f"listed on {own} according to {old.name}"
            else:
                when, conf, inst = old.date, "inferred", None
                note_text = (f"baseline: listed in {old.name} ({old.date}); the list gives no earlier date, "
                             "so nothing before it is known here")
            transitions.append(Transition(
                id=_unique(f"{mid}.listed-{old.date.isoformat()}"), measure=mid, action="impose", effective=when,
                recorded=old.date, instrument=inst or _list_instrument_id(spec, old), confidence=conf,
                sources=(_source_id(spec, old),), published=base.published, note=note_text))
            used.add(old.name)
            cited.setdefault(mid, set()).add(_source_id(spec, old))
            listed[ch.key] = True
            first_program.setdefault(ch.key, base.program)
            note(base)
        action: Literal["impose", "amend", "lift", "reimpose"] = ch.action
        if action in ("lift", "amend") and listed.get(ch.key) is False:
            # already lifted (an end date the list gave earlier): the list's later
            # removal or change of a lifted measure changes nothing in force
            continue
        if action == "impose" and ch.key in listed:
            if listed[ch.key]:
                continue  # still in force (e.g. an end date the list withdrew): nothing to impose
            action = "reimpose"
        entry = ch.entry
        instrument = _list_instrument_id(spec, new)
        if ch.dated and not ch.listed_by and action in ("impose", "reimpose") and entry.instrument:
            instrument = _act_id(spec, entry.instrument)
            acts[instrument] = entry.instrument
        if ch.listed_by:
            conf = "inferred"
            how = (f"by {new.date} ({new.name}): the list gives no date of its own, so nothing "
                   "earlier is known here")
        elif ch.dated:
            conf = spec.own_dates
            how = f"dated {ch.effective} by the list"
        else:
            conf = "inferred"
            assert ch.effective_window is not None
            lo, hi = ch.effective_window
            how = f"between {old.name} ({old.date}) and {new.name} ({new.date}): on a day in [{lo}, {hi}]"
        fields = {f.field: [f.old, f.new] for f in ch.fields}
        verb = {"impose": "listed", "reimpose": "listed again", "lift": "delisted", "amend": "changed"}[action]
        transitions.append(Transition(
            id=_unique(f"{mid}.{action}-{ch.recorded.isoformat()}"), measure=mid, action=action, effective=ch.day,
            effective_window=ch.effective_window, recorded=ch.recorded, instrument=instrument,
            published=entry.published if action in ("impose", "reimpose") and ch.dated else None,
            program=ch.new.program if ch.new is not None and "program" in fields else None,
            changes=fields or None, confidence=conf, sources=tuple(sorted(srcs)),
            note=f"{entry.name} {verb}, {how}"))
        used.update({old.name, new.name})
        cited.setdefault(mid, set()).update(srcs)
        first_program.setdefault(ch.key, (ch.old or entry).program)
        listed[ch.key] = action != "lift"
        if ch.old is not None and ch.key not in latest:
            note(ch.old)
        note(entry)

    # entities: one per target, named by its latest listing
    entities: dict[str, Entity] = {}
    for key in sorted(latest):
        e = latest[key]
        ek = entity_key(e)
        if ek in entities:
            continue
        own_ids = tuple(dict.fromkeys(i for i in e.identifiers if ":" in i and " " not in i))
        entities[ek] = Entity(
            id=f"{spec.entity_prefix}-{slug(ek)}", kind=e.kind, name=e.name,
            aliases=tuple(n for n in names[ek] if n != e.name), identifiers=own_ids)
    measures = []
    for key in sorted(latest):
        e = latest[key]
        mid = f"{spec.measure_prefix}-{slug(key)}"
        extra = f"; {', '.join(e.measures)}" if e.measures else ""
        measures.append(Measure(
            id=mid, authority=spec.authority.code, kind=measure_kind(spec, e), program=first_program[key],
            targets=(entities[entity_key(e)].id,),
            title=f"{spec.title}: {e.name} ({key})",
            summary=f"Imported from dated copies of the {spec.title}; programme {e.program}{extra}",
            sources=tuple(sorted(cited[mid]))))
    kept = [s for s in snaps if s.name in used]
    sources = tuple(Source(
        id=_source_id(spec, s), publisher=spec.publisher, url=spec.url, published=s.date,
        title=f"{spec.title} as of {s.date}: dated copy {s.name}",
        note=f"file {s.name}, sha256 {s.sha256}, {len(s)} entries") for s in kept)
    instruments = [Instrument(
        id=_list_instrument_id(spec, s), kind="notice", authority=spec.authority.code,
        title=f"{spec.title} as published on {s.date} (copy {s.name}, sha256 {s.sha256[:12]})",
        url=spec.url, issued=s.date, sources=(_source_id(spec, s),),
        note="the list as a whole on that date; the acts behind each change are not in the file") for s in kept]
    for iid, act in sorted(acts.items()):
        instruments.append(Instrument(id=iid, kind=_act_kind(spec, act), authority=spec.authority.code,
                                      title=act, number=act, note=f"named as the legal basis in the {spec.title}"))
    return ListImport(
        list=list_code, snapshots=snaps, changes=tuple(changes), program=program,
        authorities=(spec.authority,), entities=tuple(entities.values()), instruments=tuple(instruments),
        sources=sources, measures=tuple(measures), transitions=tuple(transitions))


def single_snapshot(list_code: str, snapshot: ListSnapshot, changes: Sequence[Change],
                    *, program: str | None = None) -> ListImport:
    """Records for what one snapshot tells by itself (see :func:`_shape.opening`)."""
    return build_import(list_code, (snapshot,), changes, program=program)
