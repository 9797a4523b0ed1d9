"""The one YAML reader: safe, strict, located.

sanctrack reads YAML as a stream of *events* from libyaml (``yaml.CSafeLoader``'s
C parser; PyYAML's pure-Python parser when libyaml is absent) and builds plain
values itself, in one pass, with no PyYAML constructor and no resolver:

* every scalar stays **text** (``2025-09-11``, ``yes``, ``on``, ``1.10`` are
  strings; sanctrack's strict parsers decide later what a field means). A plain
  empty scalar, ``~`` and ``null`` are ``None``; a quoted or block scalar is a
  :class:`Quoted` string, so ``value: 114`` and ``value: "114"`` stay
  distinguishable where a field takes a number or text;
* only the standard tags are accepted (``!!str``, ``!!int``, ``!!float``,
  ``!!bool``, ``!!null``, ``!!seq``, ``!!map``); any other tag
  (``!!python/object``, ``!!binary``, ``!custom``) is a problem, never
  constructed;
* a duplicate key is a problem naming both lines;
* nesting depth and alias expansion are bounded (a "billion laughs" document is
  refused as soon as its expanded size passes the limit: nothing is expanded);
* every mapping and sequence keeps the marks (1-based line, column) of its keys
  and items, so a loader can point at the exact place of any field.

Events rather than PyYAML's composer: libyaml's parser keeps its own explicit
stacks, while the C composer recurses and crashes the interpreter on a deeply
nested document; and it is not faster: it asks PyYAML's Python resolver about
every scalar, so composing a registry takes as long as
``yaml.load`` itself, while this one loop over events takes about half of that
(most of it libyaml building the event objects). The loop keeps the innermost
open mapping or sequence in local variables; ``tests/_yaml_reference.py`` is
the plain version it is checked against.

This module reads no files: it turns bytes into values and problems.
"""

from __future__ import annotations

from typing import Any

import yaml

from ._errors import Problem

__all__ = [
    "Quoted",
    "MarkedMap",
    "MarkedList",
    "parse_yaml",
    "location",
    "LIBYAML",
    "MAX_DEPTH",
    "MAX_NODES",
]

try:  # libyaml's C parser when present
    _Parser: type = yaml.CSafeLoader
    LIBYAML = True
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Parser = yaml.SafeLoader
    LIBYAML = False

MAX_DEPTH = 64
"""Deepest nesting of mappings and sequences accepted (the format needs 5)."""

MAX_NODES = 3_000_000
"""Most values one file may expand to, aliases counted at their full size."""

_TAG = "tag:yaml.org,2002:"
_TEXT_TAGS = frozenset({"!", _TAG + "str"})
_PLAIN_TAGS = frozenset({_TAG + "int", _TAG + "float", _TAG + "bool"})
_NULL_TAG = _TAG + "null"
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_MAP_TAGS = frozenset({None, "!", _TAG + "map"})
_SEQ_TAGS = frozenset({None, "!", _TAG + "seq"})

_ScalarEvent = yaml.ScalarEvent
_MappingStartEvent = yaml.MappingStartEvent
_MappingEndEvent = yaml.MappingEndEvent
_SequenceStartEvent = yaml.SequenceStartEvent
_SequenceEndEvent = yaml.SequenceEndEvent
_AliasEvent = yaml.AliasEvent
_DocumentStartEvent = yaml.DocumentStartEvent
_StreamEndEvent = yaml.StreamEndEvent


class Quoted(str):
    """A scalar that was quoted (or a block scalar, or tagged ``!!str``): always text."""

    __slots__ = ()


class MarkedMap(dict[str, Any]):
    """A YAML mapping (keys are text) with the marks of its keys and values.

    ``mark`` is the (line, column) of the mapping itself; ``keys_at[key]`` and
    ``values_at[key]`` those of a key and of its value. Lines and columns are
    1-based.
    """

    __slots__ = ("mark", "keys_at", "values_at")

    def __init__(self, mark: tuple[int, int]) -> None:  # empty from dict.__new__: no dict.__init__ needed
        self.mark = mark
        self.keys_at: dict[str, tuple[int, int]] = {}
        self.values_at: dict[str, tuple[int, int]] = {}

    def at(self, key: str) -> tuple[int, int]:
        """The mark of ``key``'s value, else of the key, else of the mapping."""
        return self.values_at.get(key) or self.keys_at.get(key) or self.mark


class MarkedList(list[Any]):
    """A YAML sequence with the marks of its items (``items_at[i]``)."""

    __slots__ = ("mark", "items_at")

    def __init__(self, mark: tuple[int, int]) -> None:
        self.mark = mark
        self.items_at: list[tuple[int, int]] = []


def location(parts: tuple[Any, ...] | list[Any]) -> str:
    """A JSON-path-like location: ``("transitions", 2, "effective")`` → ``$.transitions[2].effective``."""
    out = ["$"]
    for p in parts:
        if isinstance(p, int):
            out.append(f"[{p}]")
        elif p.isidentifier():
            out.append("." + p)
        else:
            out.append("[" + _json_text(p) + "]")
    return "".join(out)


def _json_text(s: str) -> str:
    import json

    return json.dumps(s, ensure_ascii=False)


class _Abort(Exception):
    pass


_NOKEY = object()
_MISSING = object()

# An open mapping or sequence on the parser's stack:
# [container, is_map, key, skip, anchor, nodes0, mark, refused]. The innermost
# one's pending key (``_NOKEY``: a key comes next) and skip flag (the pending key
# was refused: drop its value) live in the parser's locals; they are saved into
# its entry when a child opens and read back when the child closes.
_KEY = 2
_SKIP = 3


def _decode(data: bytes, path: str, problems: list[Problem]) -> str | None:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        head = data[: exc.start]
        line = head.count(b"\n") + 1
        column = len(head[head.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1
        problems.append(Problem(
            f"the file is not UTF-8 text: byte 0x{data[exc.start]:02x} cannot be decoded",
            hint="save the file as UTF-8", path=path, line=line, column=column))
        return None


def parse_yaml(
    data: bytes | str,
    path: str,
    *,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
) -> tuple[Any, list[Problem]]:
    """Parse one YAML document into plain values (MarkedMap, MarkedList, str, None).

    Returns ``(value, problems)``. An empty file gives ``None``. When the text
    cannot be parsed at all (a syntax error, bad bytes, a limit passed) the
    value is ``None`` and ``problems`` says why, located; problems that do not
    stop parsing (a duplicate key, a refused tag) are collected and parsing
    goes on. Never raises for bad input.
    """
    return _parse_with(_parse, data, path, max_depth, max_nodes)


def _parse_with(parse: Any, data: bytes | str, path: str, max_depth: int, max_nodes: int) -> tuple[Any, list[Problem]]:
    problems: list[Problem] = []
    if isinstance(data, bytes):
        text = _decode(data, path, problems)
        if text is None:
            return None, problems
    else:
        text = data
    try:
        try:
            value = parse(text, path, problems, max_depth, max_nodes)
        except yaml.MarkedYAMLError as exc:
            if not (LIBYAML and _nesting_refusal(exc)):
                raise
            # libyaml (0.2.6 and newer, as bundled with PyYAML 6.0.4) has a nesting limit of
            # its own, and its scanner reads up to 1,024 characters ahead of the events we
            # count, so it can refuse a deep flow collection before this loop reaches
            # MAX_DEPTH. The pure-Python parser has no such limit: read the text again with
            # it, so the refusal is ours, at the container that passed MAX_DEPTH.
            del problems[:]
            value = parse(text, path, problems, max_depth, max_nodes, yaml.SafeLoader)
    except _Abort:
        return None, problems
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or "invalid YAML"
        if exc.context and exc.problem:
            message = f"{exc.context}: {exc.problem}"
        problems.append(Problem(
            f"YAML syntax error: {message}", hint="check indentation, quotes and brackets near here",
            path=path, line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None))
        return None, problems
    except yaml.reader.ReaderError as exc:
        line, column = _offset_mark(text, exc.position)
        problems.append(Problem(f"unreadable character: {exc.reason}",
                                hint="remove control characters; save the file as UTF-8 text",
                                path=path, line=line, column=column))
        return None, problems
    except Exception as exc:  # anything else libyaml raises: still a located problem, never a crash
        problems.append(Problem(f"cannot parse the file: {exc}", path=path))
        return None, problems
    return value, problems


def _offset_mark(text: str, position: int | None) -> tuple[int | None, int | None]:
    if position is None or position < 0:
        return None, None
    raw = text.encode("utf-8", "surrogatepass")
    if position > len(raw):
        return None, None
    head = raw[:position]
    line = head.count(b"\n") + 1
    column = len(head[head.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1
    return line, column


def _where(stack: list[list[Any]], key: Any) -> str:
    """The location of the value being read; ``key`` is the innermost container's pending key."""
    parts: list[Any] = []
    last = len(stack) - 1
    for n, entry in enumerate(stack):
        if entry[1]:
            k = key if n == last else entry[_KEY]
            if k is not _NOKEY and isinstance(k, str):
                parts.append(k)
        else:
            parts.append(len(entry[0]))
    return location(parts)


def _problem(problems: list[Problem], path: str, message: str, hint: str | None, mark: Any, where: str) -> None:
    problems.append(Problem(message, hint=hint, path=path, line=mark.line + 1, column=mark.column + 1,
                            location=where))


_REFUSED_HINT = "the registry format uses plain YAML values only: remove the tag"


def _nesting_refusal(exc: yaml.MarkedYAMLError) -> bool:
    """Whether libyaml refused the text for its own nesting limit."""
    return "nesting depth" in f"{exc.context or ''} {exc.problem or ''}"


def _parse(text: str, path: str, problems: list[Problem], max_depth: int, max_nodes: int,
           parser: type | None = None) -> Any:
    # One loop over libyaml's events. The innermost open container is kept in
    # locals (cont, is_map, key, skip, at = its keys_at or items_at, vat = its
    # values_at); a scalar or an alias is added to it inline, and only the rare
    # cases (a key that is not new text, a container as a key) go through _add.
    loader = (parser or _Parser)(text)
    try:
        get = loader.get_event
        stack: list[list[Any]] = []
        anchors: dict[str, tuple[Any, int]] = {}
        nodes = 0
        documents = 0
        root: Any = _MISSING
        cont: Any = None  # the innermost open container (None: at the top level)
        is_map = False
        key: Any = _NOKEY
        skip = False
        at: Any = None
        vat: Any = None
        Scalar = _ScalarEvent
        MapStart = _MappingStartEvent
        SeqStart = _SequenceStartEvent
        MapEnd = _MappingEndEvent
        SeqEnd = _SequenceEndEvent
        Alias = _AliasEvent
        nulls = _NULLS

        while True:
            ev = get()
            cls = type(ev)
            if cls is Scalar:
                nodes += 1
                tag = ev.tag
                value: Any = ev.value
                if tag is None:
                    if ev.implicit[0]:
                        if value in nulls:
                            value = None
                    else:
                        value = Quoted(value)
                elif tag in _TEXT_TAGS:
                    value = Quoted(value)
                elif tag in _PLAIN_TAGS:
                    pass
                elif tag == _NULL_TAG:
                    value = None
                else:
                    _problem(problems, path, f"tag {_short_tag(tag)} is not allowed", _REFUSED_HINT,
                             ev.start_mark, _where(stack, key))
                    value = None
                if ev.anchor is not None:
                    anchors[ev.anchor] = (value, 1)
                mark = ev.start_mark
            elif cls is MapStart or cls is SeqStart:
                is_map_ev = cls is MapStart
                tag = ev.tag
                refused = tag not in (_MAP_TAGS if is_map_ev else _SEQ_TAGS)
                if refused:
                    _problem(problems, path, f"tag {_short_tag(tag)} is not allowed", _REFUSED_HINT,
                             ev.start_mark, _where(stack, key))
                if len(stack) >= max_depth:
                    _problem(problems, path, f"nesting deeper than {max_depth} levels", "the registry format "
                             "needs only a few levels of nesting", ev.start_mark, _where(stack, key))
                    raise _Abort
                nodes += 1
                m = ev.start_mark
                own = (m.line + 1, m.column + 1)
                if stack:  # save the parent's pending key
                    parent = stack[-1]
                    parent[_KEY] = key
                    parent[_SKIP] = skip
                if is_map_ev:
                    cont = MarkedMap(own)
                    at = cont.keys_at
                    vat = cont.values_at
                else:
                    cont = MarkedList(own)
                    at = cont.items_at
                    vat = None
                is_map = is_map_ev
                key = _NOKEY
                skip = False
                stack.append([cont, is_map, _NOKEY, False, ev.anchor, nodes, own, refused])
                continue
            elif cls is MapEnd or cls is SeqEnd:
                entry = stack.pop()
                value = None if entry[7] else entry[0]
                if entry[4] is not None:
                    anchors[entry[4]] = (value, nodes - entry[5] + 1)
                if not stack:
                    cont = None
                    is_map = False
                    root = value
                    continue
                parent = stack[-1]
                cont = parent[0]
                is_map = parent[1]
                key = parent[_KEY]
                skip = parent[_SKIP]
                if is_map:
                    at = cont.keys_at
                    vat = cont.values_at
                    if key is _NOKEY:  # a container as a key
                        key, skip = _add_key(stack, value, entry[6], at, path, problems)
                    elif skip:
                        skip = False
                        key = _NOKEY
                    else:
                        cont[key] = value
                        vat[key] = entry[6]
                        key = _NOKEY
                else:
                    at = cont.items_at
                    vat = None
                    cont.append(value)
                    at.append(entry[6])
                continue
            elif cls is Alias:
                found = anchors.get(ev.anchor)
                if found is None:
                    _problem(problems, path, f"unknown alias *{ev.anchor}", "define the anchor (&name) before "
                             "using it", ev.start_mark, _where(stack, key))
                    raise _Abort
                value, size = found
                nodes += size
                mark = ev.start_mark
            elif cls is _DocumentStartEvent:
                documents += 1
                if documents > 1:
                    _problem(problems, path, "more than one YAML document in the file", "a registry file holds "
                             "one document (remove the '---' separator)", ev.start_mark, "$")
                    raise _Abort
                continue
            elif cls is _StreamEndEvent:
                break
            else:
                continue
            if nodes > max_nodes:
                _problem(problems, path, f"the document expands to more than {max_nodes} values", "remove aliases "
                         "(*name) that repeat large parts of the document", mark, _where(stack, key))
                raise _Abort
            # a scalar or an alias: add it to the innermost container
            if is_map:
                if key is _NOKEY:
                    if type(value) is str and value not in at:
                        key = value
                        at[value] = (mark.line + 1, mark.column + 1)
                    else:
                        key, skip = _add_key(stack, value, (mark.line + 1, mark.column + 1), at, path, problems)
                elif skip:
                    skip = False
                    key = _NOKEY
                else:
                    cont[key] = value
                    vat[key] = (mark.line + 1, mark.column + 1)
                    key = _NOKEY
            elif cont is not None:
                cont.append(value)
                at.append((mark.line + 1, mark.column + 1))
            else:
                root = value
        return None if root is _MISSING else root
    finally:
        loader.dispose()


def _add_key(stack: list[list[Any]], value: Any, mark: tuple[int, int], keys_at: dict[str, tuple[int, int]],
             path: str, problems: list[Problem]) -> tuple[Any, bool]:
    """Read ``value`` as the next key of the innermost mapping: returns its (pending key, skip)."""
    line, column = mark
    if not isinstance(value, str):
        what = "a mapping" if isinstance(value, dict) else ("a list" if isinstance(value, list) else "empty")
        problems.append(Problem(f"a key must be text, not {what}", hint="write `name: value` pairs",
                                path=path, line=line, column=column, location=_where(stack, _NOKEY)))
        return None, True
    key = str(value)
    if key in keys_at:
        first = keys_at[key]
        problems.append(Problem(f"duplicate key {key!r} (first at line {first[0]}, again at line {line})",
                                hint="each key may appear once in a mapping: remove or merge one",
                                path=path, line=line, column=column, location=_where(stack, key)))
        return key, True
    keys_at[key] = mark
    return key, False


def _short_tag(tag: str | None) -> str:
    if tag is None:
        return "(none)"
    if tag.startswith(_TAG):
        return "!!" + tag[len(_TAG):]
    return tag
