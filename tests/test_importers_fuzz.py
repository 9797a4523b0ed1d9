"""Hostile and broken input for every list reader: only located ListFormatErrors, nothing written.

Laws, for any bytes given to any reader:

* it returns a snapshot or raises :class:`ListFormatError` (a ``SanctrackError`` and a
  ``ValueError``) naming the file, with a line that is ``None`` or within the file;
* through the command line with ``-o DIR``, a refused file exits 1 with one line on
  stderr, no traceback, and ``DIR`` is not created.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import string
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanctrack import SanctrackError
from sanctrack.importers import ListFormatError, build_import, opening, read_snapshot

pytest.importorskip("defusedxml", reason="the XML importers need defusedxml (the importers extra)")

UN_DOC = b"""<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST dateGenerated="2018-06-21T19:02:22.266-04:00">
<INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>MYRNA</FIRST_NAME><SECOND_NAME>AJIJUL</SECOND_NAME>
<UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE><REFERENCE_NUMBER>QDi.413</REFERENCE_NUMBER><LISTED_ON>2018-06-18</LISTED_ON>
<LAST_DAY_UPDATED><VALUE/></LAST_DAY_UPDATED><INDIVIDUAL_ALIAS><ALIAS_NAME>Myrna Mabanza</ALIAS_NAME></INDIVIDUAL_ALIAS>
</INDIVIDUAL></INDIVIDUALS><ENTITIES><ENTITY><FIRST_NAME>7TH OF TIR</FIRST_NAME><UN_LIST_TYPE>Iran</UN_LIST_TYPE>
<REFERENCE_NUMBER>IRe.001</REFERENCE_NUMBER><LISTED_ON>2006-12-23</LISTED_ON></ENTITY></ENTITIES>
</CONSOLIDATED_LIST>
"""

EU_DOC = b"""<?xml version="1.0" encoding="UTF-8"?>
<WHOLE Date="11/02/2016">
<ENTITY Id="1" Type="P" legal_basis="151/2012 (OJ L49)" reg_date="2012-02-21" programme="ZWE">
<NAME Id="1" Entity_id="1" legal_basis="1643/2002 (OJ L247)" reg_date="2002-09-13" programme="ZWE">
<WHOLENAME>Robert Gabriel Mugabe</WHOLENAME></NAME>
<PASSPORT Id="315" Entity_id="1" reg_date="2012-02-22"><NUMBER>AD001095</NUMBER></PASSPORT>
</ENTITY>
</WHOLE>
"""

OFAC_DOC = b"""<?xml version="1.0" encoding="utf-8"?>
<Sanctions xmlns="http://www.un.org/sanctions/1.0">
<DateOfIssue CalendarTypeID="1"><Year>2024</Year><Month>3</Month><Day>6</Day></DateOfIssue>
<ReferenceValueSets><SanctionsTypeValues><SanctionsType ID="1705">Block</SanctionsType>
<SanctionsType ID="1">Program</SanctionsType></SanctionsTypeValues>
<ListValues><List ID="1550">SDN List</List></ListValues></ReferenceValueSets>
<DistinctParties><DistinctParty FixedRef="36"><Profile ID="36" PartySubTypeID="3">
<Identity ID="4375" FixedRef="36" Primary="true"><Alias FixedRef="36" AliasTypeID="1403" Primary="true">
<DocumentedName ID="4375"><DocumentedNamePart><NamePartValue>AEROCARIBBEAN AIRLINES</NamePartValue>
</DocumentedNamePart></DocumentedName></Alias></Identity></Profile></DistinctParty></DistinctParties>
<SanctionsEntries><SanctionsEntry ID="36" ProfileID="36" ListID="1550">
<EntryEvent ID="36" EntryEventTypeID="1" LegalBasisID="1"><Date><Year>1986</Year><Month>12</Month><Day>10</Day></Date>
</EntryEvent><SanctionsMeasure ID="4716" SanctionsTypeID="1705"/>
<SanctionsMeasure ID="126005" SanctionsTypeID="1"><Comment>CUBA</Comment></SanctionsMeasure>
</SanctionsEntry></SanctionsEntries>
</Sanctions>
"""

FTM_DOC = (
    json.dumps({"op": "ADD", "entity": {"id": "p1", "schema": "Person", "caption": "Ivan",
                                         "properties": {"name": ["Ivan"]}}}) + "\n"
    + json.dumps({"op": "ADD", "entity": {"id": "s1", "schema": "Sanction", "properties": {
        "entity": ["p1"], "program": ["BLR"], "startDate": ["2020-10-02"]},
        "first_seen": "2023-01-01T00:00:00", "last_seen": "2024-05-30T00:00:00"}}) + "\n"
    + json.dumps({"op": "DEL", "entity": {"id": "x"}}) + "\n"
).encode()

SDN_DOC = (
    b'44541,"BELAVIA",-0- ,"BELARUS-EO14038",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Minsk."\r\n'
    b'36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Havana."\r\n'
)

VALID = {"un": UN_DOC, "eu-fsf": EU_DOC, "ofac-advanced": OFAC_DOC, "ftm": FTM_DOC, "ofac-sdn": SDN_DOC}
SUFFIX = {"un": ".xml", "eu-fsf": ".xml", "ofac-advanced": ".xml", "ftm": ".json", "ofac-sdn": ".csv"}


def _read(kind: str, data: bytes):
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"list_2024-05-30{SUFFIX[kind]}"
        path.write_bytes(data)
        try:
            snap = read_snapshot(kind, path)
        except ListFormatError as exc:
            assert isinstance(exc, SanctrackError) and isinstance(exc, ValueError)
            assert exc.path == str(path) and str(exc).startswith(str(path))
            lines = len(data.splitlines()) + 1  # a lone CR ends a line too (CSV)
            assert exc.line is None or 1 <= exc.line <= lines, (exc.line, lines)
            return exc
        # what was read always makes records that build (or a located refusal, never a crash)
        try:
            build_import(kind, [snap], opening(snap)).registry()
        except SanctrackError as exc:
            assert isinstance(exc, ValueError)
        return snap


@pytest.mark.parametrize("kind", sorted(VALID))
def test_the_seed_documents_read(kind):
    s = _read(kind, VALID[kind])
    assert not isinstance(s, Exception), s
    assert len(s) == {"un": 2, "eu-fsf": 1, "ofac-advanced": 1, "ftm": 1, "ofac-sdn": 2}[kind]


_FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("kind", sorted(VALID))
@_FUZZ
@given(data=st.data())
def test_truncated_files(kind, data):
    doc = VALID[kind]
    cut = data.draw(st.integers(0, len(doc.rstrip()) - 1))  # cut before the last byte that counts
    out = _read(kind, doc[:cut])
    if kind != "ofac-sdn" and kind != "ftm":
        assert isinstance(out, ListFormatError)  # an XML document cut anywhere is not well-formed


@pytest.mark.parametrize("kind", sorted(VALID))
@_FUZZ
@given(data=st.data())
def test_mutated_files(kind, data):
    doc = bytearray(VALID[kind])
    for _ in range(data.draw(st.integers(1, 6))):
        at = data.draw(st.integers(0, len(doc) - 1))
        how = data.draw(st.sampled_from(["flip", "insert", "delete"]))
        if how == "flip":
            doc[at] = data.draw(st.integers(0, 255))
        elif how == "insert":
            doc[at:at] = data.draw(st.binary(min_size=1, max_size=8))
        else:
            del doc[at:at + data.draw(st.integers(1, 20))]
    _read(kind, bytes(doc))


@pytest.mark.parametrize("kind", sorted(VALID))
@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "latin-1", "cp1252"])
def test_wrong_encodings(kind, encoding):
    text = VALID[kind].decode("utf-8") + ("\u00e9\u00df" if kind != "ofac-sdn" else "")
    data = text.replace("AEROCARIBBEAN", "AÉROCARIBBEAN").replace("Mugabe", "Mugabé").encode(encoding)
    _read(kind, data)


_TAGS = ["CONSOLIDATED_LIST", "INDIVIDUAL", "ENTITY", "REFERENCE_NUMBER", "LISTED_ON", "FIRST_NAME",
         "UN_LIST_TYPE", "LAST_DAY_UPDATED", "VALUE", "WHOLE", "NAME", "WHOLENAME", "export", "sanctionEntity",
         "regulation", "nameAlias", "Sanctions", "DateOfIssue", "Year", "Month", "Day", "DistinctParty",
         "Profile", "Identity", "Alias", "DocumentedName", "NamePartValue", "SanctionsEntry", "EntryEvent",
         "Date", "SanctionsMeasure", "Comment", "ReferenceValueSets", "SanctionsEntries"]
_ATTRS = ["Id", "Type", "programme", "reg_date", "legal_basis", "Date", "dateGenerated", "logicalId",
          "designationDate", "entryIntoForceDate", "publicationDate", "ID", "ProfileID", "FixedRef",
          "SanctionsTypeID", "Primary", "generationDate", "ListID"]
_VALUES = st.one_of(st.sampled_from(["", "1", "P", "E", "ZWE", "2012-02-21", "11/02/2016", "x", "true", "-3",
                                     "2018-13-45", "99999999999"]),
                    st.text(string.printable.strip(), max_size=6))


def _element(depth: int):
    text = _VALUES.map(lambda v: v.replace("&", "").replace("<", "").replace("]", ""))
    attrs = st.dictionaries(st.sampled_from(_ATTRS), text, max_size=3)
    if depth == 0:
        return st.builds(lambda t, a, x: (t, a, x, []), st.sampled_from(_TAGS), attrs, text)
    return st.builds(lambda t, a, x, kids: (t, a, x, kids), st.sampled_from(_TAGS), attrs, text,
                     st.lists(_element(depth - 1), max_size=4))


def _render(node) -> str:
    tag, attrs, text, kids = node
    a = "".join(f' {k}="{v}"' for k, v in attrs.items() if '"' not in v)
    return f"<{tag}{a}>{text}{''.join(_render(k) for k in kids)}</{tag}>"


@pytest.mark.parametrize("kind", ["un", "eu-fsf", "ofac-advanced"])
@_FUZZ
@given(root=_element(3), top=st.sampled_from(["CONSOLIDATED_LIST", "WHOLE", "export", "Sanctions"]))
def test_well_formed_nonsense(kind, root, top):
    """Well-formed XML with the lists' own vocabulary in any arrangement: read or refused, located."""
    _tag, attrs, text, kids = root
    _read(kind, ('<?xml version="1.0"?>\n' + _render((top, attrs, text, kids))).encode())


@_FUZZ
@given(lines=st.lists(st.one_of(
    st.dictionaries(st.sampled_from(["op", "entity", "id", "schema", "properties"]),
                    st.one_of(st.none(), st.integers(), st.text(max_size=5),
                              st.sampled_from(["ADD", "MOD", "DEL", "Sanction", "Person"]),
                              st.dictionaries(st.sampled_from(["id", "schema", "properties", "entity",
                                                               "startDate"]),
                                              st.one_of(st.text(max_size=5), st.lists(st.text(max_size=10)),
                                                        st.dictionaries(st.sampled_from(["entity", "startDate",
                                                                                         "endDate", "program"]),
                                                                        st.lists(st.text(max_size=10)))))),
                    max_size=4),
    st.lists(st.integers(), max_size=2)), max_size=5))
def test_ftm_nonsense_objects(lines):
    _read("ftm", "\n".join(json.dumps(x) for x in lines).encode())


# ----------------------------------------------------------------------------- XML attacks

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<CONSOLIDATED_LIST dateGenerated="2018-06-21T19:02:22-04:00"><INDIVIDUALS><INDIVIDUAL>
<FIRST_NAME>&lol4;</FIRST_NAME><UN_LIST_TYPE>x</UN_LIST_TYPE><REFERENCE_NUMBER>QDi.1</REFERENCE_NUMBER>
</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>
"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE WHOLE [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<WHOLE Date="11/02/2016"><ENTITY Id="1" Type="P" programme="ZWE" reg_date="2012-02-21">
<NAME><WHOLENAME>&xxe;</WHOLENAME></NAME></ENTITY></WHOLE>
"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE Sanctions SYSTEM "http://127.0.0.1:9/sdn_advanced.dtd">
<Sanctions/>
"""


@pytest.mark.parametrize("kind, doc", [("un", BILLION_LAUGHS), ("eu-fsf", XXE), ("ofac-advanced", EXTERNAL_DTD),
                                       ("eu-fsf", BILLION_LAUGHS), ("un", XXE)])
def test_entity_bombs_and_external_entities_are_refused_and_nothing_written(tmp_path, kind, doc):
    path = tmp_path / "attack_2024-01-01.xml"
    path.write_bytes(doc)
    with pytest.raises(ListFormatError) as info:
        read_snapshot(kind, path)
    assert info.value.line == 2  # the DOCTYPE's line: refused before any entity is declared
    assert "unsafe XML refused" in str(info.value) and "DTDForbidden" in str(info.value)
    out = tmp_path / "out"
    code, text, err = _cli("import", kind, str(path), "-o", str(out))
    assert code == 1 and text == "" and f"{path}:2:" in err and "Traceback" not in err
    assert not out.exists()


def _cli(*argv: str) -> tuple[int, str, str]:
    from sanctrack import cli

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        code = cli._run(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("kind", sorted(VALID))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.floats(0.0, 0.95))
def test_cli_refuses_broken_files_and_writes_nothing(tmp_path_factory, kind, cut):
    d = tmp_path_factory.mktemp("cli")
    doc = VALID[kind]
    data = doc[: int(len(doc) * cut)]
    path = d / f"broken_2024-05-30{SUFFIX[kind]}"
    path.write_bytes(data)
    out = d / "out"
    code, text, err = _cli("import", kind, str(path), "-o", str(out))
    if code == 0:  # a cut that still reads (a CSV or JSON cut between records)
        assert out.is_dir()
        return
    assert code == 1 and "Traceback" not in err and err.count("\n") == 1 and str(path) in err
    assert not out.exists()


def test_special_files_are_refused_without_blocking(tmp_path):
    fifo = tmp_path / "list_2024-01-01.xml"
    os.mkfifo(fifo)
    with pytest.raises(ListFormatError, match="not a regular file"):
        read_snapshot("un", fifo)
    with pytest.raises(ListFormatError, match="not a regular file"):
        read_snapshot("ftm", tmp_path)


@pytest.mark.parametrize("line", [
    {"id": "s1", "schema": "Sanction", "caption": 7, "properties": {"entity": ["p1"]}},
    {"id": "s1", "schema": "Sanction", "properties": {"entity": [" "]}},
    {"id": "s1", "schema": "Sanction", "properties": {"entity": ["p1"], "startDate": ["2024"]}},
    {"id": "p1", "schema": "Person", "caption": ["x"], "properties": {"name": ["  "]}},
])
def test_ftm_odd_values_read_or_refused(line):
    other = {"id": "s0", "schema": "Sanction", "properties": {"entity": ["p1"]}}
    out = _read("ftm", (json.dumps(other) + "\n" + json.dumps(line) + "\n").encode())
    if isinstance(out, ListFormatError):
        assert out.line == 2
    else:  # a partial date dates nothing: listed by the file's date
        assert all(e.effective is None for e in out.entries.values())
