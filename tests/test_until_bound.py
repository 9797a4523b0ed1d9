"""An ``until`` must fall after its ``effective``: sanctrack's bound is exclusive (holds for d < until).

A relief or impose whose until is on or before its effective date would hold on no day at all — almost
always an inclusive date from an instrument copied without the + 1 day ("through D" / "until D" is
D + 1 in sanctrack; "12:01 a.m. on D" is D). The loader refuses it, located at the ``until`` key.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import sanctrack
from sanctrack import RegistryError

FIXTURES = Path(__file__).parent / "fixtures" / "registries"
MEASURE = "measures/us-ofac-acme-sdn.yaml"


@pytest.fixture(autouse=True)
def _no_user_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANCTRACK_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


def _base_with(tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    root = tmp_path / "reg"
    shutil.copytree(FIXTURES / "base", root)
    f = root / MEASURE
    text = f.read_text(encoding="utf-8")
    assert text.count(old) == 1
    text = text.replace(old, new)
    f.write_text(text, encoding="utf-8")
    last = new.rstrip("\n").splitlines()[-1]
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if ln == last)
    return root, line


@pytest.mark.parametrize("until", ["2024-02-01", "2024-01-31"])
def test_relief_until_not_after_effective_is_refused_at_its_line(tmp_path: Path, until: str) -> None:
    root, line = _base_with(tmp_path, "    until: 2024-05-01\n", f"    until: {until}\n")
    with pytest.raises(RegistryError) as exc:
        sanctrack.load(root, cache=False)
    (p,) = exc.value.problems
    assert p.path.endswith(MEASURE) and p.line == line
    assert p.message == (f"until {until} must be after effective 2024-02-01 (until is exclusive: 'through D' or "
                         "'until D' in an instrument is D + 1 day, '12:01 a.m. on D' is D)")
    assert p.location == "$.transitions[1].until"


def test_impose_until_not_after_effective_is_refused(tmp_path: Path) -> None:
    root, line = _base_with(tmp_path, "    effective: 2024-01-10\n",
                            "    effective: 2024-01-10\n    until: 2024-01-10\n")
    with pytest.raises(RegistryError) as exc:
        sanctrack.load(root, cache=False)
    (p,) = exc.value.problems
    assert p.line == line and p.location == "$.transitions[0].until"
    assert p.message.startswith("until 2024-01-10 must be after effective 2024-01-10 (until is exclusive")


def test_until_one_day_after_effective_loads(tmp_path: Path) -> None:
    root, _ = _base_with(tmp_path, "    until: 2024-05-01\n", "    until: 2024-02-02\n")
    reg = sanctrack.load(root, cache=False)
    assert reg.state("us-ofac-acme-sdn", "2024-02-01").status == "relieved"
    assert reg.state("us-ofac-acme-sdn", "2024-02-02").status == "in_force"


def test_every_bundled_until_is_after_its_effective() -> None:
    reg = sanctrack.load()
    bad = [t.id for t in reg.transitions if t.until is not None and t.effective is not None and t.until <= t.effective]
    assert bad == []
