"""The event loop of ``sanctrack._yaml`` as it was before it was sped up: the reference.

A frozen copy (the version of commit 5270ff5) of ``_parse`` and its helpers,
kept only so that ``tests/test_loader_speed_paths.py`` can check the faster
reader gives the same values, marks and problems on many inputs. It shares the
value classes, the decoding and the limits with the production module; do not
"fix" it to follow later changes of ``_yaml`` unless the behaviour changes on
purpose.
"""

from __future__ import annotations

from typing import Any

import yaml

from sanctrack._errors import Problem
from sanctrack._yaml import (
    _MAP_TAGS,
    _NULL_TAG,
    _NULLS,
    _PLAIN_TAGS,
    _SEQ_TAGS,
    _TEXT_TAGS,
    MAX_DEPTH,
    MAX_NODES,
    MarkedList,
    MarkedMap,
    Quoted,
    _Abort,
    _parse_with,
    _Parser,
    _short_tag,
    location,
)

_ScalarEvent = yaml.ScalarEvent
_MappingStartEvent = yaml.MappingStartEvent
_MappingEndEvent = yaml.MappingEndEvent
_SequenceStartEvent = yaml.SequenceStartEvent
_SequenceEndEvent = yaml.SequenceEndEvent
_AliasEvent = yaml.AliasEvent
_DocumentStartEvent = yaml.DocumentStartEvent
_StreamEndEvent = yaml.StreamEndEvent


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


def _where(stack: list[_Frame]) -> str:
    parts: list[Any] = []
    for f in stack:
        if f.is_map:
            if f.key is not _NOKEY and isinstance(f.key, str):
                parts.append(f.key)
        else:
            parts.append(len(f.value))
    return location(parts)


def _parse(text: str, path: str, problems: list[Problem], max_depth: int, max_nodes: int,
           parser: type | None = None) -> Any:
    loader = (parser or _Parser)(text)
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


def parse_yaml_reference(data: bytes | str, path: str, *, max_depth: int = MAX_DEPTH,
                         max_nodes: int = MAX_NODES) -> tuple[Any, list[Problem]]:
    """``sanctrack._yaml.parse_yaml`` with the reference event loop."""
    return _parse_with(_parse, data, path, max_depth, max_nodes)
