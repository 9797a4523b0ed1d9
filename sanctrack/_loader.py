"""Loading a registry directory: YAML files in, a :class:`~sanctrack.Registry` out.

Two passes, every problem at once:

1. **Parse** every file, in a fixed order (``registry.yaml``,
   ``authorities.yaml``, ``entities.yaml``, ``instruments.yaml``,
   ``sources.yaml``, then ``measures/*.yaml`` and ``releases/*.yaml`` sorted by
   name) with the one safe reader (:mod:`sanctrack._yaml`), and build records
   field by field. A bad field is a problem located at its value
   (``path:line:column`` and a location such as ``$.transitions[2].effective``);
   it does not hide the other fields or files.
2. **Resolve**: hand every record to :meth:`Registry.build`, which checks the
   references (authorities, entities, instruments, sources, link ends,
   ``corrects``) and replays each measure through the state machine. Its
   problems name records and fields; they are mapped back to files and lines
   here.

If there is any problem, one :class:`RegistryError` lists them all, sorted by
file, line and column, and nothing is loaded. Only ``RegistryError`` leaves
:func:`load` for bad input: oversized files, undecodable bytes, symlinks
leading out of the registry, special files, hostile YAML (deep nesting, alias
bombs, unknown tags) are all located problems.

The registry's files are read by :mod:`sanctrack._files`, the load cache by
:mod:`sanctrack._cache`; pass 1 is :mod:`sanctrack._reading` (the fields of
each record converted by :mod:`sanctrack._fields`), and pass 2's problems are
located by :mod:`sanctrack._locating`. :func:`load` ties the steps together.
"""

from __future__ import annotations

import os
from pathlib import Path

from . import _cache
from ._errors import Problem, RegistryError
from ._files import MAX_FILE_SIZE, bundled_path, registry_files, stat_signature
from ._reading import Records, load_records
from ._registry import Registry
from ._yaml import MAX_DEPTH, MAX_NODES

__all__ = ["load", "load_records", "Records", "registry_files", "bundled_path", "MAX_FILE_SIZE"]


def _sort_key(p: Problem) -> tuple[str, int, int, str]:
    return (p.path or "", p.line or 0, p.column or 0, p.message)


def _fail(problems: list[Problem]) -> RegistryError:
    return RegistryError(sorted(problems, key=_sort_key))


def load(path: str | os.PathLike[str] | None = None, *, cache: bool | None = None,
         cache_dir: str | os.PathLike[str] | None = None, max_file_size: int = MAX_FILE_SIZE,
         max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES) -> Registry:
    """Load the registry in directory ``path`` (the bundled one if None).

    Raises :class:`RegistryError` listing every problem (``path:line:column:
    message at $.location (hint: ...)``) and loads nothing if there is one.
    ``cache`` (default: on, unless ``SANCTRACK_CACHE=0``) keeps a verified JSON
    copy of registries that loaded with no problem, keyed by the files' bytes;
    ``cache_dir`` overrides where (default ``$SANCTRACK_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/sanctrack``, else ``~/.cache/sanctrack``).
    """
    if path is None:
        root = bundled_path()
        display = root
    else:
        try:
            display = Path(os.path.normpath(os.fspath(path)))
        except TypeError:
            raise TypeError(f"path must be a str or os.PathLike, not {type(path).__name__}") from None
        root = display
    problems: list[Problem] = []
    if not root.is_dir():
        what = "does not exist" if not root.exists() else "is not a directory"
        raise _fail([Problem(f"the registry directory {what}", hint="give the directory that holds "
                             "registry.yaml", path=os.fspath(display))])
    limits = (max_depth, max_nodes)
    sig = None
    if _cache.enabled(cache):
        # the stat index: the files' stat -> the content key their bytes had (no file read on a hit)
        sig = stat_signature(root, max_file_size=max_file_size, limits=limits)
        if sig is not None:
            key = _cache.key_for_stat(sig[0], cache_dir)
            if key is not None:
                reg = _cache.get(key, cache_dir)
                if reg is not None:
                    return reg
    refused: list[str] = []
    files = registry_files(root, problems, max_file_size=max_file_size, display=display, refused=refused)

    use_cache = not problems and _cache.enabled(cache)
    key = None
    if use_cache:
        key = _cache.key_of(files, limits=limits)
        reg = _cache.get(key, cache_dir)
        if reg is not None:
            if sig is not None and _same_stat(root, sig, max_file_size, limits):
                _cache.put_stat(sig[0], key, sig[1], cache_dir)
            return reg
    records, index = load_records(root, files, problems, display=display, max_depth=max_depth,
                                  max_nodes=max_nodes, refused=refused, release=True)
    try:
        reg = records.build()
    except RegistryError as exc:
        measure_of = {t.id: t.measure for t in records.transitions}
        problems.extend(index.locate_safely(p) for p in exc.problems
                        if not index.follows_from_broken(p, measure_of))
        raise _fail(problems) from None
    except (ValueError, TypeError, LookupError, ArithmeticError, RecursionError) as exc:  # a bug, not bad input
        problems.append(Problem(f"internal error while building the registry: {exc!r}",
                                hint="please report this with the registry that caused it", path=os.fspath(display)))
        raise _fail(problems) from exc
    if problems:
        raise _fail(problems)
    if (use_cache and key is not None and _cache.put(key, records, reg, cache_dir) and sig is not None
            and _same_stat(root, sig, max_file_size, limits)):
        _cache.put_stat(sig[0], key, sig[1], cache_dir)
    return reg


def _same_stat(root: Path, sig: tuple[str, int], max_file_size: int, limits: tuple[int, ...]) -> bool:
    """Whether the files still have the stat fingerprint taken before they were read.

    The stat index maps a fingerprint to the content key of the bytes read; it is
    written only when the fingerprint is the same before and after the read, so it
    never ties the stats of one version of the files to the bytes of another.
    """
    return stat_signature(root, max_file_size=max_file_size, limits=limits) == sig
