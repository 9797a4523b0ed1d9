"""Every script in examples/ runs and prints the real answer from the bundled registry."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import sanctrack

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def digest() -> str:
    return sanctrack.load().digest


def run(name: str, *args: str) -> list[str]:
    proc = subprocess.run([sys.executable, str(EXAMPLES / name), *args], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    return [" ".join(line.split()) for line in proc.stdout.splitlines()]


SCRIPTS = {"belavia_2025.py", "potash_asof.py", "audit_replay.py", "deals_ledger.py", "risk_screen.py"}
PYTEST_FILES = {"property_test_example.py"}  # a test suite to copy, run by the strategies tests


def test_every_example_is_tested():
    assert {p.name for p in EXAMPLES.glob("*.py")} == SCRIPTS | PYTEST_FILES


def test_belavia_2025(digest):
    out = run("belavia_2025.py")
    assert out[0] == "Boeing parts to Open Joint Stock Company Belavia Belarusian Airlines on 2025-09-20"
    assert out[1].endswith(f"digest {digest}")
    assert "US-OFAC: restricted, but licensed: GL 11" in out
    assert "us-ofac-belavia-sdn relieved since 2025-09-11 licence GL 11" in out
    assert any(line.startswith("US-BIS: restricted, but licensed: BIS letter") for line in out)
    assert "us-bis-belavia-tdo expired since 2024-12-01" in out
    assert "EU: PROHIBITED: eu-belarus-airspace-ban, eu-belavia-listing" in out
    assert "pending: lift announced 2025-09-11 (us-ofac-belavia-sdn.announce-2025-09-11)" in out


def test_potash_asof(digest):
    out = run("potash_asof.py")
    i, j = out.index("on 2025-12-01:"), out.index("on 2025-12-20:")
    assert out[i + 1:i + 4] == [
        "us-ofac-belaruskali-sdn in_force since 2021-12-08 no licence",
        "us-ofac-bpc-sdn in_force since 2022-04-01 no licence",
        "us-ofac-agrorozkvit-sdn in_force since 2022-04-01 no licence",
    ]
    assert out[j + 1:j + 4] == [
        "us-ofac-belaruskali-sdn relieved since 2025-12-15 GL 13",
        "us-ofac-bpc-sdn relieved since 2025-12-15 GL 13",
        "us-ofac-agrorozkvit-sdn relieved since 2025-12-15 GL 13",
    ]
    assert "us-ofac-belaruskali-sdn: in_force -> relieved (GL 13)" in out


def test_audit_replay(digest):
    out = run("audit_replay.py")
    assert out[1] == f"digest {digest}"
    assert out[2] == "as known on 2025-09-10: in_force since 2023-09-08, no end known"
    assert out[3] == ("as known on 2025-10-01: relieved since 2025-09-11, no end known; licences: GL 11; "
                      "pending: lift announced 2025-09-11")
    assert out[4] == ("as known today: relieved since 2025-09-11, until 2025-11-04; licences: GL 11; "
                      "pending: lift announced 2025-09-11")
    assert "2025-09-11 us-ofac-belavia-sdn.gl11 (relieve, confirmed)" in out


def test_deals_ledger(digest):
    out = run("deals_ledger.py")
    assert out[0] == "released count basis granted"
    assert "2025-09-11 52 reported lift us-ofac-belavia-sdn (announced 2025-09-11)" in out
    assert "2025-12-13 123 stated lift us-ofac-agrorozkvit-sdn (announced 2025-12-13)" in out
    assert "stated relieve us-ofac-belaruskali-sdn (2025-12-15)" in out
    assert "figure: 114 taken to Ukraine (used)" in out
    assert "figure: 109 taken to Ukraine" in out
    assert out[-1] == f"digest {digest}"


def test_risk_screen(digest):
    out = run("risk_screen.py")
    assert out[0] == f"screened 11 rows of counterparties.csv; registry digest {digest}"
    assert "clear Belavia 2020-01-15 no measure in force" in out
    assert "blocked Belavia 2025-09-20 EU blocked · UK blocked · US licensed" in out
    assert "blocked Belaruskali 2025-12-01 EU blocked · LT blocked · UK blocked · US blocked" in out
    assert "licensed Agrorozkvit LLC 2021-12-10 US licensed" in out
    assert "unknown Acme Trading Ltd 2025-09-20 no entity in the registry" in out
    assert out[-1] == "7 blocked, 1 licensed, 2 clear, 1 unknown"


def test_risk_screen_reads_another_csv(tmp_path, digest):
    path = tmp_path / "mine.csv"
    path.write_text("counterparty,date\nBPC,2025-12-01\n", encoding="utf-8")
    out = run("risk_screen.py", str(path))
    assert out[1].startswith("blocked BPC 2025-12-01 ")
    assert "US blocked" in out[1]
