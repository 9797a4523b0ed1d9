"""`sanctrack screen PAIRS.{csv,parquet} -o OUT`: a file of questions through Registry.screen in chunks."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random

import pytest

import sanctrack
from sanctrack import InputError
from sanctrack._screen_file import screen_file
from sanctrack.cli import main

D = dt.date.fromisoformat


@pytest.fixture(scope="module")
def reg():
    return sanctrack.load()


def _read(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_exact_answers_on_a_small_file(tmp_path, capsys):
    src, out = tmp_path / "pairs.csv", tmp_path / "answers.csv"
    src.write_text("id,target,date,known\n"
                   "p1,Belavia,2025-09-20,\n"                        # FACTS: OFAC blocking relieved by GL 11
                   "p2,us-ofac-belavia-sdn,2025-10-01,2025-09-01\n"  # as known before GL 11 was recorded
                   "p3,us-ofac-belavia-sdn,2025-12-01,\n", encoding="utf-8")  # delisted: nothing in force
    assert main(["screen", str(src), "-o", str(out)]) == 0
    assert capsys.readouterr().out == f"screened 3 questions, 2 with a measure in force: wrote {out}\n"
    rows = _read(out)
    got = [(r["row"], r["id"], r["hit"], r["measure"], r["authority"], r["status"], r["licences"]) for r in rows]
    assert got == [
        ("1", "p1", "true", "eu-belarus-airspace-ban", "EU", "in_force", ""),
        ("1", "p1", "true", "eu-belavia-listing", "EU", "in_force", ""),
        ("1", "p1", "true", "uk-belavia-flying-restriction", "UK", "in_force", ""),
        ("1", "p1", "true", "uk-belavia-operating-permit", "UK", "in_force", ""),
        ("1", "p1", "true", "us-bis-belarus-aircraft-licence-req", "US-BIS", "relieved", "BIS letter 2025-09-12"),
        ("1", "p1", "true", "us-ofac-belavia-sdn", "US-OFAC", "relieved", "GL 11"),
        ("2", "p2", "true", "us-ofac-belavia-sdn", "US-OFAC", "in_force", ""),
        ("3", "p3", "false", "", "", "", ""),
    ]
    assert list(rows[0]) == ["row", "id", "target", "date", "known", "hit", "measure", "authority", "status",
                             "licences", "digest"]
    assert {r["digest"] for r in rows if r["hit"] == "true"} == {sanctrack.load().digest}


def _triples(reg, n, seed):
    rnd = random.Random(seed)
    days = sorted({t.when for t in reg.transitions} | {t.recorded for t in reg.transitions})
    targets = sorted(e.id for e in reg.entities) + sorted(m.id for m in reg.measures)[:20] + ["Belaruskali"]
    out = []
    for _ in range(n):
        day = rnd.choice(days) + dt.timedelta(days=rnd.choice((-1, 0, 1, 40)))
        known = None if rnd.random() < 0.5 else rnd.choice(days) + dt.timedelta(days=rnd.choice((-1, 0, 1)))
        out.append((rnd.choice(targets), day, known))
    return out


def _answers_of_screen(reg, triples):
    """One Registry.screen call, as the rows the command writes (row, target, date, known, hit, ...)."""
    out = []
    for i, h in enumerate(reg.screen(triples), 1):
        t, d, k = triples[i - 1]
        if not h.states:
            out.append((str(i), t, d.isoformat(), k.isoformat() if k else "", "false", "", "", "", "", ""))
        for s in h.states:
            out.append((str(i), t, d.isoformat(), k.isoformat() if k else "", "true", s.measure.id,
                        s.measure.authority, str(s.status), ";".join(r.label for r in s.reliefs), s.digest))
    return out


def test_chunked_result_equals_one_screen_call(reg, tmp_path):
    triples = _triples(reg, 600, seed=3)
    src = tmp_path / "pairs.csv"
    with open(src, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["target", "date", "known"])
        w.writerows((t, d.isoformat(), k.isoformat() if k else "") for t, d, k in triples)
    expected = _answers_of_screen(reg, triples)
    assert sum(1 for r in expected if r[4] == "true") > 100
    for chunk in (7, 100, 100_000):
        out = tmp_path / f"a{chunk}.csv"
        assert screen_file(reg, src, out, chunk=chunk) == (600, len({r[0] for r in expected if r[4] == "true"}))
        assert [tuple(r.values()) for r in _read(out)] == expected


@pytest.mark.parametrize("line, bad, message", [
    ("us-ofac-belavia-sdn,2025-13-01,", 3, "date '2025-13-01' is not a day of the calendar: expected a calendar "
                                           "date YYYY-MM-DD"),
    ("us-ofac-belavia-sdn,20250101,", 3, "date '20250101': expected a calendar date YYYY-MM-DD"),
    ("us-ofac-belavia-sdn,2025-01-01,01/02/2025", 3, "known '01/02/2025': expected a calendar date YYYY-MM-DD"),
    ("no-such-target,2025-01-01,", 3, "target 'no-such-target' is neither a measure nor a known target"),
    ("us-ofac-belavia-sdn,2025-01-01", 3, "2 fields 'us-ofac-belavia-sdn,2025-01-01': expected 3 (target,date,known)"),
    (",2025-01-01,", 3, "empty target"),
])
def test_a_bad_row_is_refused_with_its_line_and_nothing_is_written(tmp_path, capsys, line, bad, message):
    src, out = tmp_path / "pairs.csv", tmp_path / "answers.csv"
    src.write_text("target,date,known\nBelavia,2025-09-20,\n" + line + "\nBelavia,2025-09-21,\n", encoding="utf-8")
    assert main(["screen", str(src), "-o", str(out), "--chunk", "1"]) == 2
    err = capsys.readouterr().err
    assert f"{src}:{bad}: " in err and message in err
    assert err.count("\n") == 1
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [src]  # no temporary file left


def test_usage_errors(tmp_path, capsys):
    src = tmp_path / "pairs.csv"
    src.write_text("counterparty,day\nx,2025-01-01\n", encoding="utf-8")
    assert main(["screen", str(src), "-o", str(tmp_path / "a.csv")]) == 2
    assert "expected a header with target and date" in capsys.readouterr().err
    assert main(["screen", str(src), "-o", str(tmp_path / "a.parquet")]) == 2
    assert "expected a .csv file" in capsys.readouterr().err
    assert main(["screen", str(tmp_path / "none.csv"), "-o", str(tmp_path / "a.csv")]) == 2
    assert main(["screen", str(src), "-o", str(tmp_path / "a.csv"), "--known", "2025-01-01"]) == 2
    assert "--known does not apply to screen" in capsys.readouterr().err


def test_parquet_in_parquet_out(reg, tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    triples = _triples(reg, 300, seed=9)
    src, out = tmp_path / "pairs.parquet", tmp_path / "answers.parquet"
    pq.write_table(pa.table({"txn": pa.array(range(300), pa.int32()),
                             "target": [t for t, _, _ in triples],
                             "date": pa.array([d for _, d, _ in triples], pa.date32()),
                             "known": pa.array([k for _, _, k in triples], pa.date32())}), src)
    assert main(["screen", str(src), "-o", str(out), "--chunk", "64"]) == 0
    table = pq.read_table(out)
    assert table.schema.field("txn").type == pa.int32()
    assert table.schema.field("licences").type == pa.list_(pa.string())
    assert table.schema.metadata[b"sanctrack.digest"] == reg.digest.encode()
    got = [(str(r["row"]), r["target"], r["date"].isoformat(), r["known"].isoformat() if r["known"] else "",
            "true" if r["hit"] else "false", r["measure"] or "", r["authority"] or "", r["status"] or "",
            ";".join(r["licences"]), r["digest"] or "") for r in table.to_pylist()]
    assert got == _answers_of_screen(reg, triples)
    assert [r["txn"] for r in table.to_pylist()] == [int(r[0]) - 1 for r in got]
    assert {r["measure"] for r in table.to_pylist() if not r["hit"]} == {None}


def test_parquet_bad_row_is_located(tmp_path, capsys):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    src = tmp_path / "pairs.parquet"
    pq.write_table(pa.table({"target": ["Belavia", "Belavia", "Belavia"], "date": ["2025-01-01", None, "x"]}), src)
    assert main(["screen", str(src), "-o", str(tmp_path / "a.parquet"), "--chunk", "1"]) == 2
    assert f"{src}: row 2: empty date: expected a calendar date YYYY-MM-DD" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == [src]


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_progress_on_a_terminal_only(tmp_path, monkeypatch):
    src = tmp_path / "pairs.csv"
    src.write_text("target,date\n" + "Belavia,2025-09-20\n" * 50, encoding="utf-8")
    for err, shown in ((_Tty(), True), (io.StringIO(), False)):
        monkeypatch.setattr("sys.stderr", err)
        assert main(["screen", str(src), "-o", str(tmp_path / "a.csv"), "--chunk", "10"]) == 0
        text = err.getvalue()
        assert ("screen: 100.0% 50 questions" in text) is shown
        assert text.count("\n") == (1 if shown else 0)


def test_input_error_is_exported():
    assert issubclass(InputError, sanctrack.SanctrackError) and issubclass(InputError, ValueError)
