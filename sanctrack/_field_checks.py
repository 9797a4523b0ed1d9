"""The records' field checks: cheap, local validators and converters for attrs fields.

A validator looks at one value (its type, its vocabulary, a simple ordering) and raises
``TypeError``/``ValueError`` naming the field; everything that needs more than one record
(references, state-machine legality) is the registry's to check.
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Callable
from typing import Any

import attrs

__all__ = ["one_of", "check_text", "check_opt_text", "check_texts", "check_day", "check_opt_day",
           "check_opt_instant", "check_opt_window", "as_tuple", "as_opt_tuple"]


def one_of(allowed: frozenset[str] | type[enum.StrEnum]) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    values = frozenset(str(a) for a in allowed)
    names = sorted(values)

    def check(_inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, str) or value not in values:
            raise ValueError(f"{attribute.name} {value!r} is not one of: {', '.join(names)}")

    return check


def check_text(_inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{attribute.name} must be non-empty text, got {value!r}")


def check_opt_text(_inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        check_text(_inst, attribute, value)


def check_texts(_inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, tuple):
        raise TypeError(f"{attribute.name} must be a tuple, got {type(value).__name__}")
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise ValueError(f"{attribute.name} items must be non-empty text, got {item!r}")


def check_day(_inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, _dt.datetime) or not isinstance(value, _dt.date):
        raise TypeError(f"{attribute.name} must be a datetime.date, got {value!r}")


def check_opt_day(_inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        check_day(_inst, attribute, value)


def check_opt_instant(_inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, _dt.datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise TypeError(f"{attribute.name} must be an aware datetime, got {value!r}")


def check_opt_window(_inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if not (isinstance(value, tuple) and len(value) == 2):
        raise TypeError(f"{attribute.name} must be a pair (earliest, latest), got {value!r}")
    a, b = value
    check_day(_inst, attribute, a)
    check_day(_inst, attribute, b)
    if b < a:
        raise ValueError(f"{attribute.name} latest {b} is before earliest {a}")


def as_tuple(value: Any) -> tuple[Any, ...]:
    """Converter: lists (and other iterables but text) become tuples."""
    if type(value) is tuple:
        return value
    if value is None:
        return ()
    if isinstance(value, (str, bytes)):
        return (value,)
    return tuple(value)


def as_opt_tuple(value: Any) -> tuple[Any, ...] | None:
    return None if value is None else as_tuple(value)
