"""Streaming readers for OFAC SDN list snapshots.

Two forms are read, and told apart by their first line:

``legacy``
    OFAC's own ``sdn.csv``: no header, twelve columns (``ent_num, SDN_Name, SDN_Type,
    Program, Title, Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks``),
    ``-0-`` (often ``-0- `` with a trailing space) as the null, several programs written
    ``IRAN] [SDGT] [IRGC`` (the outer brackets dropped), CRLF line ends, and a DOS
    end-of-file byte (``\\x1a``) on a line of its own at the end. OFAC writes it in ASCII;
    we decode each line as UTF-8 and fall back to Windows-1252 (then Latin-1, which
    never fails) for a line that is not UTF-8, so a re-saved copy still reads.
    The alternate names are in OFAC's separate ``alt.csv``, so entries read from this
    form have none.

``derived``
    The header CSV ``uid,name,type,programs,alternate_names`` built from the newer SLS
    ``SDN.CSV`` and ``ALT.CSV`` (several programs and names joined with ``"; "``).

Both forms are RFC 4180 CSV (double quotes, doubled quote inside). The readers stream
the file line by line while hashing its bytes (SHA-256), so a snapshot is read once.

Files in the wild end with or without a final line end, with LF or CRLF, with or without
a DOS end-of-file byte: every whole record is read. A snapshot that is empty (no
entries), whose last record is really cut (fields missing, a quote left open), or whose
rows are malformed is refused with an :class:`OfacFormatError` naming the file, the line
and the field. An empty snapshot is never read as "everything was delisted". Input is
bounded: the file is opened through the one guarded open (a regular file, at most
:data:`MAX_SNAPSHOT_SIZE` bytes; a FIFO or device is refused without blocking) and no
line may pass :data:`MAX_LINE` characters, so memory stays small whatever the file.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import itertools
import os
import re
import types
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Literal, Protocol
from zoneinfo import ZoneInfo

import attrs

from .._errors import InvalidDate
from .._files import open_guarded
from .._time import FIRST_INSTANT, LAST_INSTANT
from ._shape import ListFormatError

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

__all__ = [
    "OfacFormatError",
    "TruncatedSnapshot",
    "SdnEntry",
    "Snapshot",
    "iter_entries",
    "read_snapshot",
    "parse_snapshot_date",
    "snapshot_date_from_name",
    "LEGACY_COLUMNS",
    "DERIVED_COLUMNS",
    "OFAC_TIMEZONE",
]

OFAC_TIMEZONE = ZoneInfo("America/New_York")

LEGACY_COLUMNS = (
    "ent_num",
    "SDN_Name",
    "SDN_Type",
    "Program",
    "Title",
    "Call_Sign",
    "Vess_type",
    "Tonnage",
    "GRT",
    "Vess_flag",
    "Vess_owner",
    "Remarks",
)
DERIVED_COLUMNS = ("uid", "name", "type", "programs", "alternate_names")

#: Entry types, as the derived form spells them (the legacy form writes ``-0-`` for
#: ``entity``).
ENTRY_TYPES = frozenset({"entity", "individual", "vessel", "aircraft"})

Form = Literal["legacy", "derived"]

_NULL = "-0-"
_EOF_MARK = "\x1a"
_UID_RE = re.compile(r"[1-9][0-9]{0,9}")


# --------------------------------------------------------------------------- errors


class OfacFormatError(ListFormatError):
    """A snapshot file that cannot be read as an SDN list.

    The message names the file, the line (1-based; ``None`` for the file as a whole)
    and the field (quoted: ``field 'uid':``); those facts are also kept as attributes.
    Every list reader raises :class:`ListFormatError` (this is one).
    """

    @staticmethod
    def _field_text(field: str) -> str:
        return f"field {field!r}"


class TruncatedSnapshot(OfacFormatError):
    """An empty or truncated snapshot (refused: it would read as mass delisting)."""


# --------------------------------------------------------------------------- records


@attrs.frozen(slots=True)
class SdnEntry:
    """One party on the SDN list, as one snapshot gives it.

    ``uid`` is OFAC's ``ent_num``; ``type`` is one of ``entity``, ``individual``,
    ``vessel``, ``aircraft``; ``programs`` is the set of program tags. ``line`` (the
    1-based line the record starts on in its file) is kept for messages and is not
    part of equality.
    """

    uid: int
    name: str
    type: str
    programs: frozenset[str]
    alternate_names: tuple[str, ...] = ()
    remarks: str | None = None
    line: int | None = attrs.field(default=None, eq=False, order=False)

    @property
    def identifier(self) -> str:
        """The entity identifier sanctrack uses for this party: ``ofac:<uid>``."""
        return f"ofac:{self.uid}"


@attrs.frozen(slots=True)
class Snapshot:
    """One dated copy of the SDN list.

    ``date`` is the OFAC calendar date (America/New_York) the copy shows the list as of;
    ``instant`` is the aware UTC instant when the copy was taken, when that is known.
    ``entries`` maps uid to :class:`SdnEntry`.
    """

    path: str
    date: dt.date
    sha256: str
    form: Form
    entries: Mapping[int, SdnEntry] = attrs.field(repr=False, eq=False)  # sha256 stands for them
    instant: dt.datetime | None = None
    eof_marker: bool = False

    @property
    def name(self) -> str:
        """The file's base name."""
        return os.path.basename(self.path)

    def __len__(self) -> int:
        return len(self.entries)


# --------------------------------------------------------------------------- dates

_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_INSTANT_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):?(\d{2})(?::?(\d{2}))?(Z|[+-]\d{2}:?\d{2})"
)


def parse_snapshot_date(value: object) -> tuple[dt.date, dt.datetime | None]:
    """Return ``(OFAC calendar date, instant or None)`` for a snapshot's date.

    Accepts a :class:`datetime.date`, an aware :class:`datetime.datetime`, ``YYYY-MM-DD``,
    or an instant with an explicit offset, in extended or compact form
    (``2021-08-18T09:39:01Z``, ``2021-08-18T0939Z``, ``2021-12-02T01:41+00:00``).
    An instant is converted to America/New_York for its calendar date:
    ``2021-12-02T0141Z`` is 2021-12-01 in Washington. Naive datetimes, partial dates
    and anything else are refused with :class:`ValueError`.
    """
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: give an offset (UTC: 'Z')")
        return _ofac_day(value, value)
    if isinstance(value, dt.date):
        return value, None
    if not isinstance(value, str):
        raise TypeError(f"snapshot date must be a date, aware datetime or string, not {value!r}")
    text = value.strip()
    m = _DATE_RE.fullmatch(text)
    if m:
        try:
            return dt.date(*map(int, m.groups())), None
        except ValueError as exc:
            raise ValueError(f"invalid date {value!r}: {exc}") from None
    m = _INSTANT_RE.fullmatch(text)
    if m:
        year, month, day, hour, minute, second, offset = m.groups()
        if offset == "Z":
            tz = dt.UTC
        else:
            sign = 1 if offset[0] == "+" else -1
            digits = offset[1:].replace(":", "")
            tz = dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
        try:
            instant = dt.datetime(
                int(year), int(month), int(day), int(hour), int(minute), int(second or 0), tzinfo=tz
            )
        except ValueError as exc:
            raise ValueError(f"invalid instant {value!r}: {exc}") from None
        return _ofac_day(instant, value)
    raise ValueError(
        f"invalid snapshot date {value!r}: expected YYYY-MM-DD or an instant with an "
        "offset such as 2021-08-18T0939Z"
    )


def _ofac_day(instant: dt.datetime, original: object) -> tuple[dt.date, dt.datetime]:
    """The OFAC calendar date and the UTC instant of an aware instant (InvalidDate at the range's ends)."""
    try:
        if FIRST_INSTANT <= instant <= LAST_INSTANT:
            return instant.astimezone(OFAC_TIMEZONE).date(), instant.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        pass
    raise InvalidDate(original, "a snapshot date YYYY-MM-DD or an instant with an offset",
                      "out of range: instants from 0001-01-02T00:00Z to 9999-12-30T23:59:59Z")


_NAME_DATE_RE = re.compile(r"(\d{4}-\d{2}-\d{2}(?:T\d{4}(?:\d{2})?Z)?)")


def snapshot_date_from_name(path: str | os.PathLike[str]) -> str | None:
    """The date or instant written in a snapshot's file name, or None.

    ``ofac_sdn_2021-08-18T0939Z.csv`` gives ``2021-08-18T0939Z``,
    ``ofac_sdn_derived_kindrat86_pub2026-08-20.csv`` gives ``2026-08-20``. Only a
    single date in the name counts; a name with none or several gives None.
    """
    found = _NAME_DATE_RE.findall(os.path.basename(os.fspath(path)))
    return found[0] if len(found) == 1 else None


# --------------------------------------------------------------------------- reading


def _decode_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: bytes that are not UTF-8 are read as Windows-1252.

    A byte Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D) is read as
    Latin-1, so decoding never fails.
    """
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    return "".join(_cp1252_byte(b) for b in bad), exc.end


def _cp1252_byte(byte: int) -> str:
    try:
        return bytes((byte,)).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


_ERRORS = "sanctrack.ofac-cp1252"
codecs.register_error(_ERRORS, _decode_fallback)


#: The largest snapshot file read, in bytes (OFAC's sdn.csv is about 3 MB in 2024).
MAX_SNAPSHOT_SIZE = 512 * 1024 * 1024
#: The longest line read, in characters (OFAC's longest records are a few thousand); a file
#: with a longer line is not an SDN list, and is refused before it fills memory.
MAX_LINE = 1 << 20


class _ReadsInto(Protocol):
    """A binary file: what :class:`_HashingRaw` reads from."""

    def readinto(self, buffer: WriteableBuffer, /) -> int | None: ...


class _CountsLines(Protocol):
    """A :func:`csv.reader`: the rows' source line count."""

    @property
    def line_num(self) -> int: ...


class _HashingRaw(io.RawIOBase):
    """A raw binary reader that hashes every byte read through it."""

    def __init__(self, file: _ReadsInto) -> None:
        self._file = file
        self.hash = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        n = self._file.readinto(buffer)
        if n:
            self.hash.update(memoryview(buffer)[:n])
        return n or 0


class _Source:
    """An open snapshot file: its lines, streamed, bounded and hashed, and how it ends.

    The file is opened through the one guarded open (:func:`sanctrack._files.open_guarded`:
    a regular file of at most :data:`MAX_SNAPSHOT_SIZE` bytes; a FIFO or a device is
    refused without blocking). Text is decoded as UTF-8 (a BOM is dropped); bytes that
    are not UTF-8 are read as Windows-1252. Lines are read one at a time, each at most
    :data:`MAX_LINE` characters. ``unterminated`` tells whether the last line has no line
    end; ``eof_marker`` whether the file ends with a DOS end-of-file byte (``\\x1a``),
    which is dropped, on a line of its own or right after the last record.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._file = open_guarded(path, limit=MAX_SNAPSHOT_SIZE)
        self._raw = _HashingRaw(self._file)
        self.text = io.TextIOWrapper(
            io.BufferedReader(self._raw, buffer_size=1 << 16),
            encoding="utf-8-sig",
            errors=_ERRORS,
            newline="",
        )
        self.eof_marker = False
        self.unterminated = False
        self.lines_read = 0

    def lines(self) -> Iterator[str]:
        """The file's lines with their line ends, the end-of-file byte dropped."""
        read = self.text.readline
        pending = read(MAX_LINE + 1)
        while pending:
            if len(pending) > MAX_LINE and not pending.endswith(("\n", "\r")):
                raise OfacFormatError(self.path, self.lines_read + 1, None,
                                      f"a line longer than {MAX_LINE:,} characters: not an SDN list "
                                      "(or not a text file)")
            following = read(MAX_LINE + 1)
            if not following:  # the last line
                body = pending.rstrip(" \t")
                if body.endswith(_EOF_MARK):
                    self.eof_marker = True
                    pending = body[: -len(_EOF_MARK)]
                    if not pending.strip(" \t"):
                        break
                self.unterminated = not pending.endswith(("\n", "\r"))
            self.lines_read += 1
            yield pending
            pending = following

    def hexdigest(self) -> str:
        """SHA-256 of the bytes read so far (the whole file once it is read)."""
        return self._raw.hash.hexdigest()

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> _Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _cut_or_malformed(
    rows: Iterator[list[str]], src: _Source, line: int, got: int, width: int
) -> OfacFormatError:
    """The error for a row of the wrong width: truncation if it is the cut-off last row."""
    if src.unterminated and next(rows, None) is None:
        return TruncatedSnapshot(
            src.path, line, None, f"last record is cut off ({got} of {width} fields, no line end)"
        )
    return OfacFormatError(
        src.path, line, None, f"expected {width} comma-separated fields, found {got}"
    )


def _split_programs_legacy(text: str) -> list[str]:
    if "]" not in text and "[" not in text:
        return [text]
    return [p.strip() for p in text.strip("[]").split("] [")]


def _legacy_rows(rows: Iterator[list[str]], reader: _CountsLines, src: _Source) -> Iterator[SdnEntry]:
    path = src.path
    program_sets: dict[str, frozenset[str]] = {}  # one frozenset per distinct program field
    end = 0  # the line the previous record ended on
    for row in rows:
        line, end = end + 1, reader.line_num
        if not row or (len(row) == 1 and row[0].strip() in (_EOF_MARK, "")):
            # a blank line, or the DOS end-of-file byte OFAC appends
            continue
        if len(row) != 12:
            raise _cut_or_malformed(rows, src, line, len(row), 12)
        ent_num, name, sdn_type, program = row[0].strip(), row[1].strip(), row[2].strip(), row[3].strip()
        if not _UID_RE.fullmatch(ent_num):
            raise OfacFormatError(path, line, "ent_num", f"not a positive integer: {row[0]!r}")
        if not name or name == _NULL:
            raise OfacFormatError(path, line, "SDN_Name", "empty")
        if sdn_type == _NULL:
            sdn_type = "entity"
        elif sdn_type not in ENTRY_TYPES:
            raise OfacFormatError(
                path, line, "SDN_Type",
                f"unknown type {row[2]!r} (expected -0-, individual, vessel or aircraft)",
            )
        if not program or program == _NULL:
            raise OfacFormatError(path, line, "Program", "no program")
        programs = program_sets.get(program)
        if programs is None:
            parts = _split_programs_legacy(program)
            if any(not p or "[" in p or "]" in p for p in parts):
                raise OfacFormatError(path, line, "Program", f"malformed program list {row[3]!r}")
            programs = program_sets[program] = frozenset(parts)
        remarks = row[11].strip()
        yield SdnEntry(
            int(ent_num), name, sdn_type, programs, (),
            None if remarks in ("", _NULL) else remarks, line,
        )


def _derived_rows(
    rows: Iterator[list[str]], reader: _CountsLines, src: _Source, index: Mapping[str, int]
) -> Iterator[SdnEntry]:
    path = src.path
    width = len(index)
    program_sets: dict[str, frozenset[str]] = {}
    i_uid, i_name, i_type, i_prog, i_alt = (index[c] for c in DERIVED_COLUMNS)
    end = reader.line_num  # the header's last line
    for row in rows:
        line, end = end + 1, reader.line_num
        if not row:
            continue
        if len(row) != width:
            raise _cut_or_malformed(rows, src, line, len(row), width)
        uid = row[i_uid].strip()
        if not _UID_RE.fullmatch(uid):
            raise OfacFormatError(path, line, "uid", f"not a positive integer: {row[i_uid]!r}")
        name = row[i_name].strip()
        if not name:
            raise OfacFormatError(path, line, "name", "empty")
        etype = row[i_type].strip().lower()
        if etype not in ENTRY_TYPES:
            raise OfacFormatError(
                path, line, "type",
                f"unknown type {row[i_type]!r} (expected entity, individual, vessel or aircraft)",
            )
        field = row[i_prog]
        programs = program_sets.get(field)
        if programs is None:
            parts = [p.strip() for p in field.split(";")]
            if not field.strip() or any(not p for p in parts):
                raise OfacFormatError(path, line, "programs", f"malformed program list {field!r}")
            programs = program_sets[field] = frozenset(parts)
        alt_text = row[i_alt].strip()
        alternates = tuple(a for a in (a.strip() for a in alt_text.split(";")) if a) if alt_text else ()
        yield SdnEntry(int(uid), name, etype, programs, alternates, None, line)


def _entries(src: _Source) -> Iterator[tuple[Form, SdnEntry]]:
    """Yield ``(form, entry)`` for each record; check the file's end when done."""
    path = src.path
    last_line = 0
    for form, entry in _records(src):
        last_line = entry.line or 0
        yield form, entry
    if not last_line:
        raise TruncatedSnapshot(path, None, None, "no entries")
    # a last record without a line end is taken when it is whole (every field, no open
    # quote): files in the wild end with or without one; a cut record was refused above


def _records(src: _Source) -> Iterator[tuple[Form, SdnEntry]]:
    path = src.path
    reader = csv.reader(src.lines(), strict=True)
    rows = iter(reader)
    try:
        try:
            first = next(rows)
        except StopIteration:
            raise TruncatedSnapshot(path, None, None, "file is empty") from None
        header = [c.strip().lower() for c in first]
        if header and header[0] == "uid":
            missing = [c for c in DERIVED_COLUMNS if c not in header]
            if missing:
                raise OfacFormatError(
                    path, 1, missing[0], f"header lacks column(s) {', '.join(missing)}"
                )
            index = {c: header.index(c) for c in header}
            for entry in _derived_rows(rows, reader, src, index):
                yield "derived", entry
            return
        if first and _UID_RE.fullmatch(first[0].strip()):
            for entry in _legacy_rows(itertools.chain((first,), rows), reader, src):
                yield "legacy", entry
            return
        if len(first) == 1 and first[0].strip() == _EOF_MARK:
            raise TruncatedSnapshot(path, None, None, "file is empty (only an end-of-file mark)")
        raise OfacFormatError(
            path, 1, None,
            "neither OFAC's legacy sdn.csv (first field an ent_num) nor the header CSV "
            f"({','.join(DERIVED_COLUMNS)}); first line starts {','.join(first)[:60]!r}",
        )
    except csv.Error as exc:
        if src.unterminated:
            raise TruncatedSnapshot(
                path, reader.line_num, None, f"last record is cut off ({exc})"
            ) from None
        raise OfacFormatError(path, reader.line_num, None, f"CSV syntax: {exc}") from None


def iter_entries(path: str | os.PathLike[str]) -> Iterator[SdnEntry]:
    """Stream the entries of a snapshot file, in file order (either form).

    Raises :class:`OfacFormatError` (a :class:`ValueError`) for a malformed row and
    :class:`TruncatedSnapshot` for an empty file (or one with a header and no rows) or
    a last record cut off: fewer fields or an open quote (a whole last record without
    a line end is read). Duplicate uids are not checked here (see
    :func:`read_snapshot`).
    """
    spath = os.fspath(path)
    with _Source(spath) as src:
        for _form, entry in _entries(src):
            yield entry


def read_snapshot(
    path: str | os.PathLike[str],
    date: object = None,
) -> Snapshot:
    """Read a whole snapshot file into a :class:`Snapshot` (one streaming pass).

    ``date`` is the date or instant of the copy (see :func:`parse_snapshot_date`); when
    omitted it is taken from the file name (:func:`snapshot_date_from_name`), and a
    name without exactly one date is an error. The file's SHA-256 is computed while
    reading.

    Besides the checks of :func:`iter_entries`, a uid given twice is refused.
    """
    spath = os.fspath(path)
    if date is None:
        date = snapshot_date_from_name(spath)
        if date is None:
            raise ValueError(f"{spath}: no snapshot date given and none found in the file name")
    day, instant = parse_snapshot_date(date)
    entries: dict[int, SdnEntry] = {}
    form: Form | None = None
    with _Source(spath) as src:
        for form, entry in _entries(src):
            previous = entries.get(entry.uid)
            if previous is not None:
                field = "uid" if form == "derived" else "ent_num"
                raise OfacFormatError(
                    spath, entry.line, field,
                    f"uid {entry.uid} already given on line {previous.line}",
                )
            entries[entry.uid] = entry
        digest = src.hexdigest()
        eof_marker = src.eof_marker
    assert form is not None
    return Snapshot(
        path=spath,
        date=day,
        sha256=digest,
        form=form,
        entries=types.MappingProxyType(entries),
        instant=instant,
        eof_marker=eof_marker,
    )
