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
nested document; and one loop over events costs less than composing nodes and
walking them again.

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


class MarkedMap(dict):
    """A YAML mapping (keys are text) with the marks of its keys and values.

    ``mark`` is the (line, column) of the mapping itself; ``keys_at[key]`` and
    ``values_at[key]`` those of a key and of its value. Lines and columns are
    1-based.
    """

    __slots__ = ("mark", "keys_at", "values_at")

    def __init__(self, mark: tuple[int, int]) -> None:
        super().__init__()
        self.mark = mark
        self.keys_at: dict[str, tuple[int, int]] = {}
        self.values_at: dict[str, tuple[int, int]] = {}

    def at(self, key: str) -> tuple[int, int]:
        """The mark of ``key``'s value, else of the key, else of the mapping."""
        return self.values_at.get(key) or self.keys_at.get(key) or self.mark


class MarkedList(list):
    """A YAML sequence with the marks of its items (``items_at[i]``)."""

    __slots__ = ("mark", "items_at")

    def __init__(self, mark: tuple[int, int]) -> None:
        super().__init__()
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


class _Frame:
    __slots__ = ("value", "is_map", "key", "skip", "anchor", "nodes0", "mark", "refused")

    def __init__(self, value: Any, is_map: bool, anchor: str | None, nodes0: int, mark: tuple[int, int]) -> None:
        self.value = value
        self.is_map = is_map
        self.key: Any = _NOKEY  # the pending key of a mapping (_NOKEY: a key comes next)
        self.skip = False  # the pending key was refused: drop its value
        self.anchor = anchor
        self.nodes0 = nodes0
        self.mark = mark
        self.refused = False  # a refused tag: the container reads as null


_NOKEY = object()
_MISSING = object()


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
    problems: list[Problem] = []
    if isinstance(data, bytes):
        text = _decode(data, path, problems)
        if text is None:
            return None, problems
    else:
        text = data
    try:
        value = _parse(text, path, problems, max_depth, max_nodes)
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


def _where(stack: list[_Frame]) -> str:
    parts: list[Any] = []
    for f in stack:
        if f.is_map:
            if f.key is not _NOKEY and isinstance(f.key, str):
                parts.append(f.key)
        else:
            parts.append(len(f.value))
    return location(parts)


def _parse(text: str, path: str, problems: list[Problem], max_depth: int, max_nodes: int) -> Any:
    loader = _Parser(text)
    try:
        get = loader.get_event
        stack: list[_Frame] = []
        anchors: dict[str, tuple[Any, int]] = {}
        nodes = 0
        documents = 0
        root: Any = _MISSING
        top: _Frame | None = None

        def problem(message: str, hint: str | None, mark: Any, where: str | None = None) -> None:
            problems.append(Problem(message, hint=hint, path=path, line=mark.line + 1, column=mark.column + 1,
                                    location=where if where is not None else _where(stack)))

        while True:
            ev = get()
            cls = type(ev)
            if cls is _ScalarEvent:
                nodes += 1
                tag = ev.tag
                value: Any = ev.value
                if tag is None:
                    if ev.implicit[0]:
                        if value in _NULLS:
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
                    problem(f"tag {_short_tag(tag)} is not allowed", "the registry format uses plain "
                            "YAML values only: remove the tag", ev.start_mark)
                    value = None
                if ev.anchor is not None:
                    anchors[ev.anchor] = (value, 1)
                mark = ev.start_mark
            elif cls is _MappingStartEvent or cls is _SequenceStartEvent:
                is_map = cls is _MappingStartEvent
                tag = ev.tag
                refused = tag not in (_MAP_TAGS if is_map else _SEQ_TAGS)
                if refused:
                    problem(f"tag {_short_tag(tag)} is not allowed", "the registry format uses plain "
                            "YAML values only: remove the tag", ev.start_mark)
                if len(stack) >= max_depth:
                    problem(f"nesting deeper than {max_depth} levels", "the registry format needs only a "
                            "few levels of nesting", ev.start_mark)
                    raise _Abort
                nodes += 1
                m = ev.start_mark
                mark2 = (m.line + 1, m.column + 1)
                container = MarkedMap(mark2) if is_map else MarkedList(mark2)
                top = _Frame(container, is_map, ev.anchor, nodes, mark2)
                top.refused = refused
                stack.append(top)
                continue
            elif cls is _MappingEndEvent or cls is _SequenceEndEvent:
                frame = stack.pop()
                value = None if frame.refused else frame.value
                if frame.anchor is not None:
                    anchors[frame.anchor] = (value, nodes - frame.nodes0 + 1)
                if stack:
                    top = stack[-1]
                    line, column = frame.mark
                    _add(stack, top, value, line, column, path, problems)
                else:
                    top = None
                    root = value
                continue
            elif cls is _AliasEvent:
                found = anchors.get(ev.anchor)
                if found is None:
                    problem(f"unknown alias *{ev.anchor}", "define the anchor (&name) before using it",
                            ev.start_mark)
                    raise _Abort
                else:
                    value, size = found
                    nodes += size
                mark = ev.start_mark
            elif cls is _DocumentStartEvent:
                documents += 1
                if documents > 1:
                    problem("more than one YAML document in the file", "a registry file holds one document "
                            "(remove the '---' separator)", ev.start_mark, "$")
                    raise _Abort
                continue
            elif cls is _StreamEndEvent:
                break
            else:
                continue
            if nodes > max_nodes:
                problem(f"the document expands to more than {max_nodes} values", "remove aliases (*name) "
                        "that repeat large parts of the document", mark)
                raise _Abort
            # a scalar or an alias: add it to its parent (the common cases inline)
            if top is None:
                root = value
            elif top.is_map:
                key = top.key
                if key is _NOKEY:
                    if type(value) is str and value not in top.value.keys_at:
                        top.key = value
                        top.value.keys_at[value] = (mark.line + 1, mark.column + 1)
                    else:
                        _add(stack, top, value, mark.line + 1, mark.column + 1, path, problems)
                elif top.skip:
                    top.skip = False
                    top.key = _NOKEY
                else:
                    container = top.value
                    container[key] = value
                    container.values_at[key] = (mark.line + 1, mark.column + 1)
                    top.key = _NOKEY
            else:
                container = top.value
                container.append(value)
                container.items_at.append((mark.line + 1, mark.column + 1))
        return None if root is _MISSING else root
    finally:
        loader.dispose()


def _add(stack: list[_Frame], top: _Frame, value: Any, line: int, column: int,
         path: str, problems: list[Problem]) -> None:
    container = top.value
    if not top.is_map:
        container.append(value)
        container.items_at.append((line, column))
        return
    if top.key is _NOKEY:  # this value is a key
        keys_at = container.keys_at
        if not isinstance(value, str):
            what = "a mapping" if isinstance(value, dict) else ("a list" if isinstance(value, list) else "empty")
            problems.append(Problem(f"a key must be text, not {what}", hint="write `name: value` pairs",
                                    path=path, line=line, column=column, location=_where(stack)))
            top.key = None
            top.skip = True
        elif value in keys_at:
            first = keys_at[value]
            top.key = str(value)
            problems.append(Problem(f"duplicate key {top.key!r} (first at line {first[0]}, again at line {line})",
                                    hint="each key may appear once in a mapping: remove or merge one",
                                    path=path, line=line, column=column, location=_where(stack)))
            top.skip = True
        else:
            key = top.key = str(value)
            keys_at[key] = (line, column)
        return
    if top.skip:
        top.skip = False
    else:
        container[top.key] = value
        container.values_at[top.key] = (line, column)
    top.key = _NOKEY


def _short_tag(tag: str | None) -> str:
    if tag is None:
        return "(none)"
    if tag.startswith(_TAG):
        return "!!" + tag[len(_TAG):]
    return tag
