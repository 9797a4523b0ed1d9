"""The EU Financial Sanctions File (FSF), XML: the legacy 1.0 form and the 1.1 form.

**1.0 (legacy)**: ``<WHOLE Date="dd/mm/yyyy">`` holding ``<ENTITY Id Type
legal_basis reg_date programme>`` records with ``NAME``/``PASSPORT``/``CITIZEN``...
children, each of those again with its own ``legal_basis``/``reg_date``. One listing
per ``ENTITY`` keyed by its ``Id`` (identifier ``eu-fsf:<Id>``):

* ``programme`` -> the programme (``ZWE``, ``AFG``, ``IRQ``, ``TAQA``, ``TERR``, ``COD`` ...);
* every record (the entity and each name, birth, passport...) carries the regulation
  that added it (``legal_basis``, e.g. ``1643/2002 (OJ L247)``) and that regulation's
  date (``reg_date``). The earliest of them is the first act in the file that lists the
  entity: its date -> ``effective``, its number -> the instrument; the later dates ->
  ``updated`` (acts that amended the entry). The legacy file has only this one date
  per act: it does not tell entry into force from publication, so ``published`` stays
  empty; and an act the file no longer cites (Mugabe's ``remark`` names 310/2002) is
  not seen, so the entity may have been listed earlier than ``effective``;
* ``WHOLE/@Date`` -> the snapshot's date.

**1.1**: ``<export generationDate>`` holding ``<sanctionEntity logicalId
designationDate>`` records, each with ``<regulation programme numberTitle
publicationDate entryIntoForceDate>``, ``<nameAlias wholeName>`` and
``<identification number>``. ``designationDate``, else the (earliest) regulation's
``entryIntoForceDate`` -> ``effective``; its ``publicationDate`` -> ``published``;
its ``numberTitle`` -> the instrument; its ``programme`` -> the programme;
``generationDate`` -> the snapshot's date.

Neither form says when an entity was delisted: a lift is dated by the window between
two files.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import TYPE_CHECKING

from ._shape import ListFormatError, Listing, ListSnapshot
from ._xml import XmlTree, local, parse, read_file, text_of, xml_date

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

__all__ = ["EuFsfReader", "read"]

_KIND = {"P": "person", "E": "organisation", "PERSON": "person", "ENTERPRISE": "organisation"}


def _kind(tree: XmlTree, e: Element, code: str | None) -> str:
    kind = _KIND.get((code or "").strip().upper())
    if kind is None:
        raise tree.error(e, "Type", f"unknown subject type {code!r} (expected P or E)")
    return kind


def _legacy(tree: XmlTree, e: Element) -> Listing:
    key = (e.get("Id") or "").strip()
    if not key.isdigit():
        raise tree.error(e, "Id", f"not a numeric entity id: {e.get('Id')!r}")
    names = []
    for n in e.iterfind("NAME"):
        whole = text_of(n.find("WHOLENAME"))
        if not whole:
            whole = " ".join(p for p in (text_of(n.find(t)) for t in ("FIRSTNAME", "MIDDLENAME", "LASTNAME")) if p)
        if whole:
            names.append(whole)
    names = list(dict.fromkeys(names))
    if not names:
        raise tree.error(e, "NAME", f"entity {key} has no name")
    programme = (e.get("programme") or "").strip()
    if not programme:
        raise tree.error(e, "programme", f"entity {key} has no programme")
    docs = [f"passport: {text_of(p.find('NUMBER'))}" for p in e.iterfind("PASSPORT") if text_of(p.find("NUMBER"))]
    # every record carries the regulation that added it: the earliest is the first act
    # of the file that lists the entity, the later ones amended it
    acts = []
    for rec in (e, *e):
        day = xml_date(tree, e, "reg_date", rec.get("reg_date"))
        if day is not None:
            acts.append((day, (rec.get("legal_basis") or "").strip()))
    acts.sort()
    first = acts[0] if acts else (None, "")
    return Listing(
        key=key, name=names[0], kind=_kind(tree, e, e.get("Type")), program=programme,
        aliases=tuple(names[1:]), identifiers=(f"eu-fsf:{key}", *dict.fromkeys(docs)),
        effective=first[0], updated=tuple(sorted({d for d, _ in acts[1:] if d != first[0]})),
        instrument=first[1] or None, line=tree.line(e),
    )


def _current(tree: XmlTree, e: Element) -> Listing:
    key = (e.get("logicalId") or "").strip()
    if not key:
        raise tree.error(e, "logicalId", "missing")
    names = [a.get("wholeName", "").strip() for a in e if local(a.tag) == "nameAlias"]
    names = [n for n in dict.fromkeys(names) if n]
    if not names:
        raise tree.error(e, "nameAlias", f"entity {key} has no name")
    regs = [r for r in e if local(r.tag) == "regulation"]
    if not regs:
        raise tree.error(e, "regulation", f"entity {key} has no regulation")
    dated = []
    for r in regs:
        force = xml_date(tree, e, "entryIntoForceDate", r.get("entryIntoForceDate"))
        pub = xml_date(tree, e, "publicationDate", r.get("publicationDate"))
        dated.append((force or pub or dt.date.max, force, pub, r))
    dated.sort(key=lambda x: x[0])
    _, force, pub, first = dated[0]
    programmes = [p for p in dict.fromkeys((r.get("programme") or "").strip() for r in regs) if p]
    if not programmes:
        raise tree.error(e, "programme", f"entity {key} has no programme")
    subject = next((s for s in e if local(s.tag) == "subjectType"), None)
    code = None if subject is None else (subject.get("classificationCode") or subject.get("code"))
    designated = xml_date(tree, e, "designationDate", e.get("designationDate"))
    docs = [f"{i.get('identificationTypeCode') or 'id'}: {(i.get('number') or '').strip()}"
            for i in e if local(i.tag) == "identification" and (i.get("number") or "").strip()]
    return Listing(
        key=key, name=names[0], kind=_kind(tree, e, code), program="; ".join(programmes),
        aliases=tuple(names[1:]), identifiers=(f"eu-fsf:{key}", *dict.fromkeys(docs)),
        effective=designated or force, published=pub,
        instrument=(first.get("numberTitle") or "").strip() or None, line=tree.line(e),
    )


def _legacy_date(tree: XmlTree, root: Element) -> dt.date | None:
    text = (root.get("Date") or "").strip()
    if not text:
        return None
    try:
        return dt.datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        raise tree.error(root, "Date", f"invalid date {text!r}: expected dd/mm/yyyy") from None


class EuFsfReader:
    """Reads an EU Financial Sanctions File (1.0 legacy or 1.1 XML)."""

    list = "eu-fsf"
    suffixes = (".xml",)

    def read(self, path: str | os.PathLike[str], date: object = None) -> ListSnapshot:
        p = os.fspath(path)
        data, digest = read_file(p)
        tree = parse(p, data, lines_for=lambda tag: tag in ("ENTITY", "sanctionEntity", "WHOLE", "export"))
        root = tree.root
        top = local(root.tag)
        if top == "WHOLE":
            day, records, make = _legacy_date(tree, root), root.iterfind("ENTITY"), _legacy
        elif top == "export":
            day = xml_date(tree, root, "generationDate", root.get("generationDate"))
            records, make = (e for e in root if local(e.tag) == "sanctionEntity"), _current
        else:
            raise tree.error(root, None, f"root element is <{top}>, not <WHOLE> (FSF 1.0) or <export> (FSF 1.1)")
        dated = date is None
        if date is not None:
            from ._dates import as_date

            day = as_date(p, date)
        if day is None:
            raise ListFormatError(p, tree.line(root), None, "no date in the file: give the snapshot's date")
        entries: dict[str, Listing] = {}
        for e in records:
            item = make(tree, e)
            if item.key in entries:
                raise tree.error(e, "Id", f"entity {item.key} already given on line {entries[item.key].line}")
            entries[item.key] = item
        if not entries:
            raise ListFormatError(p, None, None, "no entity: an empty list is refused")
        return ListSnapshot("eu-fsf", p, day, digest, entries, None, dated=dated)


def read(path: str | os.PathLike[str], date: object = None) -> ListSnapshot:
    """Read one EU FSF XML file (see the module docstring)."""
    return EuFsfReader().read(path, date)
