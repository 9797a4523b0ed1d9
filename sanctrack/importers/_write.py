"""Write imported records to a registry directory: atomically, never over curated files.

The rules:

* **Atomic.** The whole new directory is built in a temporary directory beside the
  target (same parent, same file system): the target's current files are copied in,
  the imported files written and synced, then the two directories are swapped in one
  ``renameat2(RENAME_EXCHANGE)`` call (Linux) — or, where that is not available, by
  two renames with a recovery step: a run killed between them leaves
  ``.<name>.sanctrack-old`` beside the target, which the next run puts back before
  doing anything. A run killed at any other moment leaves the target as it was (at
  most a stray ``.<name>.sanctrack-tmp-*`` directory, removed by the next run).
* **Never over a curated file.** Each generated file carries a header with the
  SHA-256 of its body. A file in the target is *replaced* only when it is absent,
  identical, or a generated file whose body still matches its header; a
  hand-curated or hand-edited file is a *conflict*: with ``on_conflict="refuse"``
  (the default) nothing is written and :class:`ImportConflict` names the files; with
  ``"beside"`` no file of the import goes in place: the whole import is written as a
  registry of its own in ``imported/`` inside the target, for a person to merge. The
  curated registry is left exactly as it was and still loads (the loader ignores
  top-level folders other than ``measures/`` and ``releases/``); the import loads too
  (``sanctrack.load("DIR/imported")``) and can be compared with it. A per-file
  ``<name>.imported.yaml`` was avoided on purpose: the loader refuses unknown ``.yaml``
  files, so it would break the curated registry.
* **Curated entities are candidates.** When the target already holds hand-curated
  entities, an imported measure whose entity shares an identifier (``ofac:<uid>``)
  with one of them is not written: it is reported as a :class:`Candidate`.
* Generated, untouched files that the new import no longer produces are removed
  (they belong to an earlier import into the same directory).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal, TypeVar

import attrs
import yaml

from sanctrack import SanctrackError, Transition
from sanctrack._files import lock_beside

from ._records import ListImport
from ._sdn_records import Imported
from ._yaml_out import generated_status, render_files

__all__ = ["Candidate", "ImportConflict", "WriteReport", "write_registry", "curated_identifiers"]

OnConflict = Literal["refuse", "beside"]
Records = TypeVar("Records", Imported, ListImport)  # what an importer built: from the SDN list, or another list

#: Where ``on_conflict="beside"`` puts an import that cannot go in place.
BESIDE_DIR = "imported"

_LAYOUT_FILES = ("registry.yaml", "authorities.yaml", "entities.yaml", "instruments.yaml", "sources.yaml")


class ImportConflict(SanctrackError, FileExistsError):
    """Files in the target that the import would overwrite but that are curated by hand."""

    def __init__(self, directory: str, paths: Iterable[str]) -> None:
        self.directory = directory
        self.paths = tuple(paths)
        listing = ", ".join(self.paths)
        super().__init__(
            f"{directory}: refusing to overwrite hand-curated file(s): {listing} "
            "(nothing was written; import into another directory, or pass "
            "on_conflict='beside' / --beside to write the import to imported/ inside it)"
        )


@attrs.frozen(slots=True)
class Candidate:
    """Imported transitions for an entity already curated by hand: reported, not written.

    ``verdicts`` (filled by the command line when the directory loads as a registry)
    says, per transition, whether the curated records agree (see ``compare_entity``).
    """

    identifier: str
    measure: str
    curated_entity: str
    transitions: tuple[Transition, ...]
    verdicts: tuple[Any, ...] = ()


@attrs.frozen(slots=True)
class WriteReport:
    """What a write did, by relative path."""

    directory: str
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    beside: tuple[str, ...]
    removed: tuple[str, ...]
    candidates: tuple[Candidate, ...]


def curated_identifiers(directory: str | os.PathLike[str]) -> dict[str, str]:
    """``{identifier: entity id}`` of the hand-curated entities in a registry directory.

    Reads ``entities.yaml`` when it is not a file this importer generated.
    """
    path = Path(directory) / "entities.yaml"
    if not path.is_file():
        return {}
    text = path.read_text(encoding="utf-8")
    if generated_status(text) == "generated":
        return {}
    try:
        docs = yaml.safe_load(text) or []
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: cannot read the curated entities: {exc}") from None
    out: dict[str, str] = {}
    if isinstance(docs, list):
        for item in docs:
            if isinstance(item, dict):
                for ident in item.get("identifiers") or ():
                    out[str(ident)] = str(item.get("id"))
    return out


def _without_candidates(
    imported: Records, curated: Mapping[str, str]
) -> tuple[Records, tuple[Candidate, ...]]:
    if not curated:
        return imported, ()
    by_entity = {e.id: e for e in imported.entities}
    dropped_measures: dict[str, tuple[str, str]] = {}
    for m in imported.measures:
        for target in m.targets:
            entity = by_entity.get(target)
            if entity is None:
                continue
            for ident in entity.identifiers:
                if ident in curated:
                    dropped_measures[m.id] = (ident, curated[ident])
    if not dropped_measures:
        return imported, ()
    candidates = tuple(
        Candidate(
            identifier=ident,
            measure=mid,
            curated_entity=ent,
            transitions=tuple(t for t in imported.transitions if t.measure == mid),
        )
        for mid, (ident, ent) in sorted(dropped_measures.items())
    )
    measures = tuple(m for m in imported.measures if m.id not in dropped_measures)
    kept_targets = {t for m in measures for t in m.targets}
    transitions = tuple(t for t in imported.transitions if t.measure not in dropped_measures)
    cited = {s for t in transitions for s in t.sources} | {s for m in measures for s in m.sources}
    instruments = tuple(i for i in imported.instruments if i.id in {t.instrument for t in transitions})
    cited |= {s for i in instruments for s in i.sources}
    return (
        attrs.evolve(
            imported,
            entities=tuple(e for e in imported.entities if e.id in kept_targets),
            measures=measures,
            transitions=transitions,
            instruments=instruments,
            sources=tuple(s for s in imported.sources if s.id in cited),
        ),
        candidates,
    )


def _temp_prefix(target: Path) -> str:
    return f".{target.name}.sanctrack-tmp-"


def _old_path(target: Path) -> Path:
    return target.parent / f".{target.name}.sanctrack-old"


def _recover(target: Path) -> None:
    """Undo the traces of a run that was killed: put the old directory back, drop temps."""
    old = _old_path(target)
    if old.exists():
        if not target.exists():
            os.rename(old, target)
        else:
            shutil.rmtree(old)
    if target.parent.is_dir():
        for stray in target.parent.glob(_temp_prefix(target) + "*"):
            shutil.rmtree(stray, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two directories (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    if os.environ.get("SANCTRACK_NO_RENAME_EXCHANGE"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint)
    at_fdcwd, rename_exchange = -100, 2
    rc = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, f"cannot swap {a} and {b}: {os.strerror(err)}")


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _sync(tree: Path) -> None:
    """Flush a written tree to disk: one ``sync()`` (thousands of fsyncs are slow)."""
    if hasattr(os, "sync"):
        os.sync()
        return
    for path in tree.rglob("*"):  # pragma: no cover - platforms without sync()
        if path.is_file():
            with open(path, "rb+") as f:
                os.fsync(f.fileno())
    for d in {tree, *(p.parent for p in tree.rglob("*"))}:  # pragma: no cover
        _fsync_dir(d)


def _write_file(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() or path.is_symlink():
        path.unlink()  # never write through a copied file or a link
    with open(path, "x", encoding="utf-8", newline="\n") as f:
        f.write(text)


def _classify(
    target: Path, prefix: str, files: Mapping[str, str]
) -> tuple[dict[str, str], list[str], list[str], list[str]]:
    """Compare the files to write under ``target/prefix`` with what is there.

    Returns ``(plan, unchanged, conflicts, stale)``: the files to write (absent, or
    generated and untouched), those already identical, those curated or edited by hand,
    and the generated, untouched layout files the import no longer produces.
    """
    plan: dict[str, str] = {}
    unchanged: list[str] = []
    conflicts: list[str] = []
    for rel, text in files.items():
        path = target / (prefix + rel)
        if not path.exists():
            plan[prefix + rel] = text
            continue
        current = path.read_text(encoding="utf-8", errors="replace")
        if current == text:
            unchanged.append(prefix + rel)
        elif generated_status(current) == "generated":
            plan[prefix + rel] = text
        else:
            conflicts.append(prefix + rel)
    stale: list[str] = []
    root = target / prefix if prefix else target
    if root.is_dir():
        existing = [root / name for name in _LAYOUT_FILES]
        if (root / "measures").is_dir():
            existing += sorted((root / "measures").glob("*.yaml"))
        for path in existing:
            rel = path.relative_to(root).as_posix()
            if rel in files or not path.is_file():
                continue
            if generated_status(path.read_text(encoding="utf-8", errors="replace")) == "generated":
                stale.append(prefix + rel)
    return plan, unchanged, conflicts, stale


def write_registry(
    imported: Records,
    directory: str | os.PathLike[str],
    *,
    on_conflict: OnConflict = "refuse",
) -> WriteReport:
    """Write ``imported`` to ``directory`` in the registry layout (see the module rules).

    The directory is created if it does not exist. Raises :class:`ImportConflict`
    (also a :class:`FileExistsError`) when ``on_conflict="refuse"`` and a curated file
    would be overwritten; nothing is written then.
    """
    if on_conflict not in ("refuse", "beside"):
        raise ValueError(f"on_conflict must be 'refuse' or 'beside', not {on_conflict!r}")
    target = Path(os.path.abspath(os.fspath(directory)))
    target.parent.mkdir(parents=True, exist_ok=True)
    with lock_beside(target):  # two writers of one target wait for each other; readers never lock
        return _write_locked(imported, target, on_conflict)


def _write_locked(imported: Records, target: Path, on_conflict: OnConflict) -> WriteReport:
    _recover(target)
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(f"{target} exists and is not a directory")
    _check_registry_like(target)

    imported, candidates = _without_candidates(
        imported, curated_identifiers(target) if target.is_dir() else {}
    )
    files = render_files(
        info=imported.info,
        authorities=imported.authorities,
        entities=imported.entities,
        instruments=imported.instruments,
        sources=imported.sources,
        measures=imported.measures,
        transitions=imported.transitions,
    )

    plan, unchanged, conflicts, stale = _classify(target, "", files)
    written: list[str] = []
    beside: list[str] = []
    if conflicts and on_conflict == "refuse":
        raise ImportConflict(str(target), conflicts)
    if conflicts:
        # Beside: nothing of this import goes in place, so the curated registry stays as
        # it was (and loads as before: the loader ignores other top-level folders); the
        # import goes to imported/, a registry of its own, for a person to merge.
        plan, unchanged, conflicts, stale = _classify(target, BESIDE_DIR + "/", files)
        if conflicts:
            raise ImportConflict(str(target), conflicts)
        beside = list(plan)
    else:
        written = list(plan)
    removed = stale

    report = WriteReport(
        directory=str(target),
        written=tuple(sorted(written)),
        unchanged=tuple(sorted(unchanged)),
        beside=tuple(sorted(beside)),
        removed=tuple(sorted(removed)),
        candidates=candidates,
    )
    if not plan and not stale and target.is_dir():
        return report

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=_temp_prefix(target), dir=target.parent))
    try:
        if target.is_dir():
            shutil.copytree(target, tmp, symlinks=True, dirs_exist_ok=True)
            os.chmod(tmp, os.stat(target).st_mode)
        else:
            os.chmod(tmp, 0o777 & ~_umask())
        for rel, text in plan.items():
            _write_file(tmp / rel, text)
        for rel in stale:
            (tmp / rel).unlink()
        _sync(tmp)  # the new tree is on disk before it takes the target's place
        if not target.exists():
            os.rename(tmp, target)
        elif _exchange(tmp, target):
            shutil.rmtree(tmp)  # now holds the old contents
        else:
            old = _old_path(target)
            os.rename(target, old)
            os.rename(tmp, target)
            shutil.rmtree(old)
        _fsync_dir(target.parent)
    except BaseException:
        _recover(target)  # the old directory back in place; temporaries removed
        raise
    return report


_REGISTRY_DIRS = ("measures", "releases", BESIDE_DIR)


def _check_registry_like(target: Path) -> None:
    """Refuse a target that holds more than a registry (the whole directory is copied).

    Besides the registry files and folders, only plain files the loader ignores (not
    ``.yaml``: a README, say) and hidden entries are accepted.
    """
    if not target.is_dir():
        return
    for entry in sorted(os.scandir(target), key=lambda e: e.name):
        name = entry.name
        if name.startswith(".") or name in _LAYOUT_FILES:
            continue
        if name in _REGISTRY_DIRS and entry.is_dir(follow_symlinks=False):
            continue
        if entry.is_file(follow_symlinks=False) and not name.endswith((".yaml", ".yml")):
            continue
        raise ValueError(
            f"{target} does not look like a registry directory (it holds {name!r}); "
            "import into a new directory or an existing registry"
        )


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
