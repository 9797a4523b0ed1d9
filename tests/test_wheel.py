"""The wheel ships the bundled registry: ``sanctrack.load()`` works after ``pip install``.

Builds the wheel offline from a copy of the checkout (``pip wheel --no-deps
--no-build-isolation``: hatchling must be importable), installs it into a fresh
virtual environment (``--system-site-packages`` for attrs, python-dateutil and
PyYAML; ``--no-deps --no-index``: no network), and loads the registry from
another directory. The digest must equal the source checkout's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import sanctrack

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_installed_wheel_loads_the_bundled_registry_from_anywhere(tmp_path: Path) -> None:
    pytest.importorskip("hatchling", reason="building the wheel offline needs hatchling")
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(REPO / "pyproject.toml", src)
    for name in ("README.md", "CHANGELOG.md", "LICENSE"):
        if (REPO / name).exists():
            shutil.copy(REPO / name, src)
    if not (src / "README.md").exists():  # the metadata names it
        (src / "README.md").write_text("sanctrack\n")
    shutil.copytree(REPO / "sanctrack", src / "sanctrack", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "registry", src / "registry")

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "SANCTRACK_", "PIP_"))}
    env.update(SANCTRACK_CACHE="0", PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
          "-w", str(dist), str(src)], tmp_path, env)
    (wheel,) = dist.glob("sanctrack-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "sanctrack/_registry_data/registry.yaml" in names
    assert any(n.startswith("sanctrack/_registry_data/measures/") for n in names)

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)], tmp_path, env)
    python = venv / "bin" / "python"
    if _pip_has_python_option():
        _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
              str(wheel)], tmp_path, env)
    else:  # pragma: no cover - old pip
        _run([sys.executable, "-m", "venv", "--system-site-packages", "--clear", str(venv)], tmp_path, env)
        _run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", str(wheel)], tmp_path, env)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = _run([str(python), "-c", "import sanctrack; print(sanctrack.__file__); print(sanctrack.load().digest)"],
               elsewhere, env).split()
    assert Path(out[0]).resolve().is_relative_to(venv.resolve())
    assert out[1] == sanctrack.load(REPO / "registry", cache=False).digest


def _pip_has_python_option() -> bool:
    """pip >= 22.3 can install into another interpreter (the venv has no pip of its own)."""
    import pip

    major, minor = (int(x) for x in pip.__version__.split(".")[:2])
    return (major, minor) >= (22, 3)
