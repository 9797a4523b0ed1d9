"""Reading list files safely: a guarded file read and an XML parser that expands nothing.

:func:`read_file` reads a snapshot file whole through the library's guarded open
(regular files only, ``O_NONBLOCK``, checked again once open, no larger than a cap)
and returns the bytes and their SHA-256.

:func:`parse` parses XML bytes with ``defusedxml`` (imported here, lazily: the core of
sanctrack never imports it): a DTD, an entity declaration or an external reference is
refused before anything is expanded or fetched, so a billion-laughs or XXE file gives
a :class:`ListFormatError` naming the file and line, and nothing is written. The tree
is built with the line each element starts on, for located errors.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._shape import ListFormatError

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

__all__ = ["read_file", "parse", "MAX_BYTES", "XmlTree", "local", "text_of", "xml_date"]

#: The largest snapshot file read (OFAC's full SDN_ADVANCED.xml is ~100 MB).
MAX_BYTES = 1 << 30


def read_file(path: str | os.PathLike[str], limit: int = MAX_BYTES) -> tuple[bytes, str]:
    """``(bytes, sha256 hex)`` of a regular file no larger than ``limit`` bytes.

    Read through the library's one guarded open (:func:`sanctrack._files.read_guarded`:
    regular files only, opened ``O_NONBLOCK`` and checked again once open, size-bound),
    so a FIFO, a device or a huge file is refused at once, never read or waited on.
    """
    from sanctrack._errors import UnreadableFile
    from sanctrack._files import read_guarded

    p = os.fspath(path)
    try:
        data = read_guarded(p, limit=limit)
    except UnreadableFile as exc:
        raise ListFormatError(p, None, None, f"cannot read: {exc.reason}") from None
    except OSError as exc:
        raise ListFormatError(p, None, None, f"cannot read: {exc.strerror or exc}") from None
    return data, hashlib.sha256(data).hexdigest()


def local(tag: str) -> str:
    """A tag without its namespace: ``{http://www.un.org/sanctions/1.0}Day`` -> ``Day``."""
    return tag.rsplit("}", 1)[-1] if tag.startswith("{") else tag


class XmlTree:
    """A parsed document: its root element and the line each element starts on."""

    def __init__(self, path: str, root: Element, lines: dict[int, int]) -> None:
        self.path = path
        self.root = root
        self._lines = lines

    def line(self, element: Element | None) -> int | None:
        return self._lines.get(id(element))

    def error(self, element: Element | None, field: str | None, problem: str) -> ListFormatError:
        return ListFormatError(self.path, self.line(element), field, problem)


def parse(path: str, data: bytes, *, lines_for: Callable[[str], bool] = lambda tag: True) -> XmlTree:
    """Parse ``data`` (the bytes of ``path``) into an :class:`XmlTree`, expanding nothing.

    ``lines_for(local tag)`` says for which elements the start line is kept.
    """
    try:
        from defusedxml import DefusedXmlException
        from defusedxml.ElementTree import DefusedXMLParser
    except ImportError:  # the importers extra is not installed
        raise ListFormatError(
            path, None, None,
            "reading XML lists needs defusedxml: pip install 'sanctrack[importers]'",
        ) from None
    from xml.etree.ElementTree import ParseError, TreeBuilder

    lines: dict[int, int] = {}
    builder = TreeBuilder()
    holder: list[Any] = []

    class _Target:
        def start(self, tag: str, attrib: dict[str, str]) -> Element:
            elem = builder.start(tag, attrib)
            if lines_for(local(tag)):
                lines[id(elem)] = holder[0].parser.CurrentLineNumber
            return elem

        def end(self, tag: str) -> Element:
            return builder.end(tag)

        def data(self, text: str) -> None:
            builder.data(text)

        def close(self) -> Element:
            return builder.close()

    parser = DefusedXMLParser(target=_Target(), forbid_dtd=True, forbid_entities=True, forbid_external=True)
    holder.append(parser)
    try:
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException as exc:
        line = _line_of(parser)
        raise ListFormatError(path, line, None, f"unsafe XML refused ({type(exc).__name__}: {exc}); "
                              "DTDs, entities and external references are not read") from None
    except ParseError as exc:
        line, col = getattr(exc, "position", (None, None))
        raise ListFormatError(path, line, None, f"not well-formed XML (column {col}): {exc}") from None
    except (ValueError, LookupError, UnicodeError, RecursionError) as exc:
        raise ListFormatError(path, _line_of(parser), None, f"cannot parse the XML: {exc}") from None
    return XmlTree(path, root, lines)


def _line_of(parser: Any) -> int | None:
    try:
        return int(parser.parser.CurrentLineNumber)
    except Exception:  # the expat parser is gone after an error
        return None


def text_of(elem: Element | None) -> str:
    """The element's text, whitespace collapsed ('' for none)."""
    if elem is None or elem.text is None:
        return ""
    return " ".join(elem.text.split())


def xml_date(tree: XmlTree, elem: Element | None, field: str, text: str | None) -> dt.date | None:
    """A ``YYYY-MM-DD`` date (a trailing time or offset is ignored); '' gives None."""
    if text is None:
        return None
    t = text.strip()
    if not t:
        return None
    try:
        return dt.date.fromisoformat(t[:10])
    except ValueError:
        raise tree.error(elem, field, f"invalid date {text!r}: expected YYYY-MM-DD") from None
