"""The one place where sanctrack steps outside attrs' constructors and the garbage collector's rhythm.

Everything else in the library builds records with their attrs constructors
(``Transition(...)``, ``attrs.evolve``), which run every validator. A few things
need more speed than that and are kept here, where one reader can audit them:

* :func:`collection_paused`, a context manager that pauses the cyclic garbage
  collector while a registry is built or loaded. Building allocates hundreds of
  thousands of acyclic objects; without the pause the collector walks them over
  and over. Pausing is process-wide (other threads see it too), so it is done
  only here, is re-entrant, and restores the previous setting.
* constructors that skip validators, for the loader and the load cache only,
  each given values that are already known good, and each kept because it
  pays (measured at 100k transitions against attrs' constructors):

  - :class:`RecordMaker` builds the transitions and measures of a cold YAML
    load: the loader's field converters (:mod:`sanctrack._fields`) have
    already checked what most validators would check again; the remaining
    validators, the converters and the records' own checks still run. With
    ``cls(**kw)`` instead, a cold load took a third longer or more.
  - :func:`records_from_columns` restores every record of a warm load (a load
    cache hit) straight into its slots: the records were checked when they were
    first loaded, and the cache entry holding them is signature-verified. With
    attrs' constructors, restoring took three times as long (the records other
    than transitions, at load) and twice as long (the transitions, made measure
    by measure on first use).

  ``tests/test_unchecked.py`` checks that both give records equal, field for
  field and type for type, to the ones attrs' constructors give.
"""

from __future__ import annotations

import contextlib
import gc
import threading
import types
from collections import deque
from itertools import repeat
from typing import Any, Callable, Iterable, Iterator, Sequence

import attrs

__all__ = ["collection_paused", "RecordMaker", "slot_setters", "records_from_columns"]

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the duration of the block (re-entrant, thread-safe).

    The collector is re-enabled when the outermost block exits, if it was
    enabled when the outermost block entered.
    """
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()


# -- records made without running their validators: the loader and the load cache ------------------
#
# Both makers below give the record ``cls(...)`` would give for the same, already-checked
# values (tests/test_unchecked.py checks them against attrs' constructors on generated and
# bundled records); they only skip work whose outcome is known.


class RecordMaker:
    """Builds records of one class from fields the loader has already checked (cold YAML loads).

    ``cls(**kw)`` runs attrs' converters, then every field's validator, then
    ``__attrs_post_init__``. For the fields in ``trusted`` the loader's own
    converter (a :mod:`sanctrack._fields` spec entry) already guarantees what the
    validator checks (text is non-empty text, a date a ``datetime.date``, a
    vocabulary word one of the class's words, a list a tuple of such); those
    validators are skipped. Every other field (``measure``, filled in by the
    loader from the file) is still validated, the converters still run, and so
    do the record's own checks (``__attrs_post_init__``): the record, or the
    error, is the one ``cls(**kw)`` gives. Anything unexpected in ``kw`` (a
    missing required field, an unknown one) goes through ``cls(**kw)`` itself.
    """

    __slots__ = ("cls", "required", "names", "build")

    def __init__(self, cls: type, trusted: Iterable[str]) -> None:
        trusted = frozenset(trusted)
        self.cls = cls
        # straight-line code, as attrs writes __init__: set each slot (through its converter, defaults
        # included), then the validators of the fields not trusted, then the record's own checks
        env: dict[str, Any] = {"new": object.__new__, "set": object.__setattr__, "cls": cls,
                               "disabled": attrs.validators.get_disabled}
        lines = ["def build(kw):", "    inst = new(cls)", "    get = kw.get"]
        checks = []
        required = []
        for n, a in enumerate(attrs.fields(cls)):
            if isinstance(a.default, attrs.Factory):  # type: ignore[arg-type]  # pragma: no cover
                raise TypeError(f"{cls.__name__}.{a.name}: a factory default is not supported")
            if isinstance(a.converter, attrs.Converter):  # pragma: no cover - no record class uses one
                raise TypeError(f"{cls.__name__}.{a.name}: a Converter object is not supported")
            if a.default is attrs.NOTHING:
                required.append(a.name)
                value = f"kw[{a.name!r}]"
            else:
                env[f"d{n}"] = a.default
                value = f"get({a.name!r}, d{n})"
            if a.converter is not None:
                env[f"c{n}"] = a.converter
                value = f"c{n}({value})"
            lines.append(f"    set(inst, {a.name!r}, {value})")
            if a.validator is not None and a.name not in trusted:
                env[f"a{n}"] = a
                env[f"v{n}"] = a.validator
                checks.append(f"        v{n}(inst, a{n}, inst.{a.name})")
        if checks:
            lines += ["    if not disabled():", *checks]
        if getattr(cls, "__attrs_post_init__", None) is not None:
            lines.append("    inst.__attrs_post_init__()")
        lines.append("    return inst")
        exec(compile("\n".join(lines), f"<sanctrack record builder {cls.__name__}>", "exec"), env)
        self.build: Callable[[dict[str, Any]], Any] = env["build"]
        self.required = frozenset(required)
        self.names = frozenset(a.name for a in attrs.fields(cls))

    def __call__(self, kw: dict[str, Any]) -> Any:
        if not self.required <= kw.keys() <= self.names:
            return self.cls(**kw)
        return self.build(kw)


_SETTERS: dict[type, tuple[Callable[[Any, Any], None], ...]] = {}


def slot_setters(cls: type) -> tuple[Callable[[Any, Any], None], ...]:
    """The slot setter of each attrs field of ``cls``, in field order (for :func:`records_from_columns`).

    Raises :class:`TypeError` unless the state of a ``cls`` instance is exactly its
    fields, each in a slot of its own: filling the slots must leave nothing unset
    (such as the hidden slot of a cached hash) and nothing beside them (a ``__dict__``).
    """
    got = _SETTERS.get(cls)
    if got is None:
        names = [a.name for a in attrs.fields(cls)]
        slots: list[str] = []
        for c in cls.__mro__:
            declared = c.__dict__.get("__slots__", ())
            slots.extend(n for n in ((declared,) if isinstance(declared, str) else declared) if n != "__weakref__")
        descriptors = [cls.__dict__.get(name) for name in names]
        if sorted(slots) != sorted(names) or "__dict__" in dir(cls) \
                or not all(type(d) is types.MemberDescriptorType for d in descriptors):
            raise TypeError(f"{cls.__name__}: not exactly one slot per field")
        got = _SETTERS[cls] = tuple(d.__set__ for d in descriptors)  # type: ignore[union-attr]
    return got


def records_from_columns(cls: type, n: int, columns: Sequence[Iterable[Any]]) -> list[Any]:
    """``n`` records of ``cls`` whose fields are ``columns`` (one iterable per field, in field order).

    For the load cache, whose records were checked when they were first loaded
    and whose entries are signature-verified: the records are made without
    ``__init__`` (no converters, no validators, no ``__attrs_post_init__``),
    every slot set column by column through the class's slot descriptors. Each
    value must already be what the converter made (a tuple, not a list...).
    """
    setters = slot_setters(cls)
    if len(columns) != len(setters):
        raise ValueError(f"{len(columns)} columns for the {len(setters)} fields of {cls.__name__}")
    out: list[Any] = list(map(_new, repeat(cls, n)))
    for setter, values in zip(setters, columns):
        deque(map(setter, out, values), maxlen=0)
    return out


_new = object.__new__
