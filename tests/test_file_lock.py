"""The writers' lock: one writer at a time per target directory, and no lock file left behind."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sanctrack._file_lock import lock_beside

pytestmark = pytest.mark.skipif(os.name != "posix", reason="the lock is a no-op without fcntl")


def test_the_lock_file_sits_beside_the_target_while_held_and_is_removed_after(tmp_path: Path) -> None:
    target = tmp_path / "imported"
    lock_file = tmp_path / ".imported.sanctrack-lock"
    with lock_beside(target):
        assert lock_file.is_file()
    assert not lock_file.exists()


def test_a_second_writer_waits_for_the_first(tmp_path: Path) -> None:
    target = tmp_path / "imported"
    code = ("import sys, time\nfrom sanctrack._file_lock import lock_beside\n"
            "with lock_beside(sys.argv[1]):\n"
            "    print(repr(time.time()))\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    with lock_beside(target):
        child = subprocess.Popen([sys.executable, "-c", code, str(target)], stdout=subprocess.PIPE, text=True,
                                 env=env)
        time.sleep(0.5)
        assert child.poll() is None  # still waiting
        released = time.time()
    out, _ = child.communicate(timeout=30)
    assert child.returncode == 0 and float(out) >= released


def test_the_lock_is_taken_again_after_release(tmp_path: Path) -> None:
    target = tmp_path / "imported"
    with lock_beside(target):
        pass
    with lock_beside(target):
        assert (tmp_path / ".imported.sanctrack-lock").is_file()
