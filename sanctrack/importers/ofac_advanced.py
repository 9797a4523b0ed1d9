"""OFAC's Advanced XML (the ``SDN_ADVANCED`` schema, namespace
``http://www.un.org/sanctions/1.0``), for the SDN and the Consolidated (non-SDN) lists.

The file is relational: ``ReferenceValueSets`` name the codes, ``DistinctParties``
hold the parties (a ``Profile`` with its ``Identity``/``Alias`` names),
``IDRegDocuments`` their documents, and ``SanctionsEntries`` say which party is on
which list since when. One listing per ``SanctionsEntry``, keyed by its ``ID``
(stable across issues), for the party ``ProfileID`` (identifier ``ofac:<ProfileID>``):

* the earliest ``EntryEvent/Date`` -> ``effective`` (the date the entry was created,
  i.e. the designation); later entry events -> ``updated``;
* its ``LegalBasisID`` -> the instrument (the legal basis' short reference);
* the ``SanctionsMeasure``s: those of type *Program* give the programme(s) (their
  ``Comment``: ``SDGT``, ``NS-PLC``, ``CUBA`` ...); the others (``Block``, ``Reject``,
  ``13662 Sectoral Directive 1`` ...) are kept as the listing's ``measures``;
* ``DateOfIssue`` -> the snapshot's date (``recorded``).

A removed entry leaves no trace: a lift is dated by the window between two issues.

:meth:`OfacAdvancedReader.read` also takes a directory of top-level fragments of one
issue (``DateOfIssue``, ``ReferenceValueSets``, ``DistinctParty``...,
``SanctionsEntries``, as cut from ``sdn_advanced.xml``; namespaced or not), each
parsed on its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from typing import TYPE_CHECKING

from ._shape import ListFormatError, Listing, ListSnapshot
from ._xml import XmlTree, local, parse, read_file, text_of

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

__all__ = ["OfacAdvancedReader", "read"]

_RECORD_TAGS = ("SanctionsEntry", "DistinctParty", "DateOfIssue", "Sanctions", "IDRegDocument")
_SECTIONS = ("DateOfIssue", "ReferenceValueSets", "DistinctParties", "DistinctParty", "IDRegDocuments",
             "IDRegDocument", "SanctionsEntries", "SanctionsEntry")


def _children(e: Element, name: str) -> list[Element]:
    return [c for c in e if local(c.tag) == name]


def _child(e: Element, name: str) -> Element | None:
    for c in e:
        if local(c.tag) == name:
            return c
    return None


def _walk(e: Element, name: str) -> list[Element]:
    return [c for c in e.iter() if local(c.tag) == name]


def _ymd(tree: XmlTree, owner: Element, e: Element, field: str) -> dt.date:
    parts = []
    for name in ("Year", "Month", "Day"):
        t = text_of(_child(e, name))
        if not t.isdigit():
            raise tree.error(owner, field, f"{name} is {t!r}: expected a number")
        parts.append(int(t))
    try:
        return dt.date(*parts)
    except ValueError as exc:
        raise tree.error(owner, field, f"invalid date {parts}: {exc}") from None


class _Issue:
    """The sections of one issue, from one document or from fragments."""

    def __init__(self) -> None:
        self.date: dt.date | None = None
        self.values: dict[str, dict[str, str]] = {}
        self.subtypes: dict[str, tuple[str, str]] = {}  # PartySubTypeID -> (sub type, party type)
        self.parties: list[tuple[XmlTree, Element]] = []
        self.documents: list[tuple[XmlTree, Element]] = []
        self.entries: list[tuple[XmlTree, Element]] = []

    def add(self, tree: XmlTree, e: Element) -> None:
        tag = local(e.tag)
        if tag == "DateOfIssue":
            self.date = _ymd(tree, e, e, "DateOfIssue")
        elif tag == "ReferenceValueSets":
            for group in e:
                for v in group:
                    vid = v.get("ID")
                    if vid is None:
                        continue
                    self.values.setdefault(local(v.tag), {})[vid] = (
                        v.get("LegalBasisShortRef") or text_of(v))
                    if local(v.tag) == "PartySubType":
                        self.subtypes[vid] = (text_of(v), v.get("PartyTypeID") or "")
        elif tag in ("DistinctParties", "IDRegDocuments", "SanctionsEntries"):
            for c in e:
                self.add(tree, c)
        elif tag == "DistinctParty":
            self.parties.append((tree, e))
        elif tag == "IDRegDocument":
            self.documents.append((tree, e))
        elif tag == "SanctionsEntry":
            self.entries.append((tree, e))

    def value(self, kind: str, vid: str | None) -> str | None:
        return self.values.get(kind, {}).get(vid or "")


def _names(tree: XmlTree, party: Element) -> tuple[str, list[str], str | None, list[str]]:
    """(primary name, other names, sub type id, identity ids) of a DistinctParty."""
    profile = _child(party, "Profile")
    if profile is None:
        raise tree.error(party, "Profile", f"party {party.get('FixedRef')!r} has no Profile")
    primary: str | None = None
    others: list[str] = []
    identities = []
    for identity in _children(profile, "Identity"):
        identities.append(identity.get("ID") or "")
        for alias in _children(identity, "Alias"):
            for dn in _children(alias, "DocumentedName"):
                name = " ".join(text_of(v) for v in _walk(dn, "NamePartValue") if text_of(v))
                if not name:
                    continue
                if primary is None and alias.get("Primary") == "true" and identity.get("Primary") == "true":
                    primary = name
                elif name not in others:
                    others.append(name)
    if primary is None:
        if not others:
            raise tree.error(party, "Alias", f"party {party.get('FixedRef')!r} has no name")
        primary = others.pop(0)
    return primary, [n for n in others if n != primary], profile.get("PartySubTypeID"), identities


def _kind(issue: _Issue, subtype: str | None) -> str:
    sub, party_type = issue.subtypes.get(subtype or "", ("", ""))
    if sub in ("Vessel", "Aircraft"):
        return sub.lower()
    ptype = issue.value("PartyType", party_type)
    if ptype == "Individual":
        return "person"
    if sub == "" and subtype in ("1", "2"):  # no reference values: the schema's fixed codes
        return {"1": "vessel", "2": "aircraft"}[subtype]
    if subtype == "4" and ptype is None:
        return "person"
    return "organisation"


def _listings(issue: _Issue, path: str) -> dict[str, Listing]:
    parties: dict[str, tuple[str, list[str], str | None, list[str]]] = {}
    for tree, party in issue.parties:
        ref = (party.get("FixedRef") or "").strip()
        if not ref.isdigit():
            raise tree.error(party, "FixedRef", f"not a numeric party reference: {party.get('FixedRef')!r}")
        parties[ref] = _names(tree, party)
    docs: dict[str, list[str]] = {}
    for _tree, doc in issue.documents:
        number = text_of(_child(doc, "IDRegistrationNo"))
        if number:
            kind = issue.value("IDRegDocType", doc.get("IDRegDocTypeID")) or "document"
            docs.setdefault(doc.get("IdentityID") or "", []).append(f"{kind}: {number}")
    out: dict[str, Listing] = {}
    for tree, entry in issue.entries:
        key = (entry.get("ID") or "").strip()
        profile = (entry.get("ProfileID") or "").strip()
        if not key.isdigit() or not profile.isdigit():
            raise tree.error(entry, "ID", f"entry ID {entry.get('ID')!r} / ProfileID {entry.get('ProfileID')!r}: "
                             "expected numbers")
        events = []
        basis = None
        for ev in _children(entry, "EntryEvent"):
            date_el = _child(ev, "Date")
            if date_el is None:
                raise tree.error(entry, "EntryEvent", f"entry {key}: an EntryEvent without a Date")
            events.append(_ymd(tree, entry, date_el, "EntryEvent/Date"))
            basis = basis or issue.value("LegalBasis", ev.get("LegalBasisID"))
        events.sort()
        programs, measures = [], []
        for m in _children(entry, "SanctionsMeasure"):
            mtype = issue.value("SanctionsType", m.get("SanctionsTypeID"))
            comment = text_of(_child(m, "Comment"))
            if mtype == "Program" or (mtype is None and m.get("SanctionsTypeID") == "1"):
                if comment:
                    programs.append(comment)
            else:
                measures.append(mtype or f"SanctionsType {m.get('SanctionsTypeID')}")
        list_name = issue.value("List", entry.get("ListID")) or f"List {entry.get('ListID')}"
        if not programs:
            programs = [list_name]
        if profile in parties:
            name, others, subtype, identities = parties[profile]
            kind = _kind(issue, subtype)
        else:  # an entry of a party the file does not describe (a fragment)
            name, others, identities, kind = f"OFAC party {profile}", [], [], "organisation"
        idents = [f"ofac:{profile}"] + [d for i in identities for d in docs.get(i, ())]
        if key in out:
            raise tree.error(entry, "ID", f"SanctionsEntry {key} given twice")
        out[key] = Listing(
            key=key, name=name, kind=kind, program="; ".join(sorted(set(programs))),
            aliases=tuple(others), identifiers=tuple(dict.fromkeys(idents)),
            effective=events[0] if events else None, updated=tuple(events[1:]),
            instrument=basis, measures=tuple(dict.fromkeys([list_name, *measures])),
            target=profile, line=tree.line(entry),
        )
    return out


class OfacAdvancedReader:
    """Reads an OFAC Advanced XML file (or a directory of its top-level fragments)."""

    list = "ofac-advanced"
    suffixes = (".xml",)

    def read(self, path: str | os.PathLike[str], date: object = None) -> ListSnapshot:
        p = os.fspath(path)
        issue = _Issue()
        if os.path.isdir(p):
            names = sorted(n for n in os.listdir(p) if n.endswith(".xml") and not n.startswith("."))
            digest = hashlib.sha256()
            for n in names:
                data, sha = read_file(os.path.join(p, n))
                digest.update(f"{sha}  {n}\n".encode())
                tree = parse(os.path.join(p, n), data, lines_for=lambda t: t in _RECORD_TAGS)
                if local(tree.root.tag) in _SECTIONS:
                    issue.add(tree, tree.root)
            sha256 = digest.hexdigest()
        else:
            data, sha256 = read_file(p)
            tree = parse(p, data, lines_for=lambda t: t in _RECORD_TAGS)
            if local(tree.root.tag) != "Sanctions":
                if local(tree.root.tag) in _SECTIONS:
                    issue.add(tree, tree.root)
                else:
                    raise tree.error(tree.root, None, f"root element is <{local(tree.root.tag)}>, not <Sanctions>")
            else:
                for section in tree.root:
                    issue.add(tree, section)
        dated = date is None
        day = issue.date
        if date is not None:
            from ._dates import as_date

            day = as_date(p, date)
        if day is None:
            raise ListFormatError(p, None, "DateOfIssue", "no DateOfIssue: give the snapshot's date")
        entries = _listings(issue, p)
        if not entries:
            raise ListFormatError(p, None, "SanctionsEntries", "no SanctionsEntry: an empty list is refused")
        return ListSnapshot("ofac-advanced", p, day, sha256, entries, None, dated=dated)


def read(path: str | os.PathLike[str], date: object = None) -> ListSnapshot:
    """Read one OFAC Advanced XML issue (see the module docstring)."""
    return OfacAdvancedReader().read(path, date)
