"""docs/scale-out.md run verbatim: the interval table as Parquet/Arrow, and every recipe of the doc
(DuckDB range and ASOF joins, Spark SQL on local[2], Polars join_asof, pandas merge_asof) giving
exactly Registry.screen's answers on one random sample of (target, date, known) triples per
registry, with the boundaries (interval starts and ends, the day before and after) over-sampled.

The Spark session is shared across the module (one start, ~6 s); every Spark query runs on a
sample of ~1,500 rows, so the module stays within a minute.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
import shutil
from pathlib import Path

import pytest

import sanctrack
from sanctrack.cli import main
from sanctrack.exports import INTERVAL_COLUMNS, interval_rows, write_intervals_arrow, write_intervals_csv

from ._small_registry import build as build_small

# the engines here (pyarrow, DuckDB, Spark, Polars, pandas) are not pinned in .ci/oldest.txt
pytestmark = pytest.mark.heavy

pa = pytest.importorskip("pyarrow", reason="the Parquet/Arrow export needs pyarrow (the arrow extra)")
import pyarrow.dataset as pads  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from sanctrack.exports._arrow import ARROW_KINDS, arrow_rows_as_text, interval_table  # noqa: E402

DOC = Path(__file__).resolve().parents[1] / "docs" / "scale-out.md"
AS_OF = dt.date(2026, 1, 15)
N_SAMPLE = {"small": 1200, "bundled": 1500}


def doc_blocks(lang: str, comment: str) -> dict[str, str]:
    """The ```<lang> blocks of docs/scale-out.md whose first line is ``<comment> <name>``."""
    out = {}
    for block in re.findall(rf"```{lang}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S):
        first, _, body = block.partition("\n")
        if first.startswith(comment + " "):
            out[first[len(comment) + 1:].strip()] = body
    return out


def test_the_recipes_are_in_the_doc():
    assert {"load", "load-parquet", "screen", "asof", "screen-known", "spark-screen", "spark-asof"} <= set(
        doc_blocks("sql", "--"))
    assert {"spark-load", "polars", "pandas"} <= set(doc_blocks("python", "#"))


# -- the registries, their exports and the sample ------------------------------------------


@pytest.fixture(scope="module", params=["small", "bundled"])
def case(request, tmp_path_factory):
    reg = build_small() if request.param == "small" else sanctrack.load()
    d = tmp_path_factory.mktemp(request.param)
    parquet = d / "intervals.parquet"
    write_intervals_arrow(reg, parquet, as_of=AS_OF)
    triples, boundary = sample(reg, N_SAMPLE[request.param], seed=25)
    expected = screen_answers(reg, triples)
    return {"name": request.param, "reg": reg, "dir": d, "parquet": parquet, "triples": triples,
            "boundary": boundary, "expected": expected}


def sample(reg, n: int, seed: int) -> tuple[list[tuple[str, dt.date, dt.date | None]], int]:
    """n random (target, date, known) triples; about half of the dates on an interval boundary of that
    target (a start or an end, the day before or after). Returns the triples and the boundary count."""
    rnd = random.Random(seed)
    rows = list(interval_rows(reg))
    edges: dict[str, set[dt.date]] = {}
    for r in rows:
        for t in r["target_ids"].split(";"):
            if t:
                edges.setdefault(t, set()).update(
                    dt.date.fromisoformat(r[c]) for c in ("valid_from", "valid_to") if r[c])
    recorded = sorted({dt.date.fromisoformat(r[c]) for r in rows for c in ("recorded_from", "recorded_to") if r[c]})
    days = sorted(set().union(*edges.values()))
    lo, hi = days[0] - dt.timedelta(days=60), days[-1] + dt.timedelta(days=60)
    targets = sorted(e.id for e in reg.entities)
    out, boundary = [], 0
    for _ in range(n):
        target = rnd.choice(targets)
        own = sorted(edges.get(target, ()))
        if own and rnd.random() < 0.5:
            day = rnd.choice(own) + dt.timedelta(days=rnd.choice((-1, 0, 0, 1)))
        else:
            day = lo + dt.timedelta(days=rnd.randrange((hi - lo).days))
        if any(abs((day - e).days) <= 1 for e in own):
            boundary += 1
        known = None if rnd.random() < 0.4 else rnd.choice(recorded) + dt.timedelta(days=rnd.choice((-1, 0, 1)))
        out.append((target, day, known))
    return out, boundary


def table_status(s, as_of=AS_OF) -> str:
    """A state's status as the interval table made as of ``as_of`` writes it: a run begun by a lapse after
    that date is scheduled (``in_force (scheduled)`` after a licence's lapse), never a plain status."""
    scheduled = s.cause == "lapse" and s.valid.start is not None and s.valid.start > as_of
    return str(s.status) + (" (scheduled)" if scheduled else "")


def screen_answers(reg, triples) -> dict[int, tuple[frozenset, dt.date | None]]:
    """The oracle: Registry.screen, per question its (measure, status, licences) in force and its known date."""
    hits = reg.screen(triples)
    out = {}
    for i, h in enumerate(hits):
        assert h.known == triples[i][2]
        out[i] = (frozenset((s.measure.id, table_status(s), tuple(r.label for r in s.reliefs)) for s in h.states),
                  h.known)
    return out


def _day(v):
    if v is None:
        return None
    if hasattr(v, "to_pydatetime"):  # pandas Timestamp / NaT
        return None if v != v else v.to_pydatetime().date()
    if isinstance(v, float) and v != v:
        return None
    return v.date() if isinstance(v, dt.datetime) else v


def _licences(v) -> tuple[str, ...]:
    if v is None:
        return ()
    if isinstance(v, str):  # the CSV's ;-separated text
        return tuple(v.split(";")) if v else ()
    return tuple(v)


def check(case, rows, *, engine: str) -> int:
    """Engine rows (id, measure, status, licences, known) against Registry.screen; the count compared."""
    got: dict[int, set] = {}
    for i, measure, status, lics, known in rows:
        i = int(i)
        assert _day(known) == case["triples"][i][2], (engine, i, known)
        got.setdefault(i, set()).add((measure, status, _licences(lics)))
    for i, (expected, _known) in case["expected"].items():
        assert frozenset(got.get(i, set())) == expected, (engine, case["triples"][i])
    assert any(e for e, _ in case["expected"].values()) and not all(e for e, _ in case["expected"].values())
    return len(case["expected"])


def test_the_sample_has_boundaries_hits_and_misses(case):
    hits = sum(1 for e, _ in case["expected"].values() if e)
    licensed = sum(1 for e, _ in case["expected"].values() if any(lic for _, _, lic in e))
    print(f"\n{case['name']}: {len(case['triples'])} triples, {case['boundary']} on a boundary (±1 day), "
          f"{hits} with a hit, {licensed} with a licence")
    assert case["boundary"] >= len(case["triples"]) // 3
    assert 0 < hits < len(case["triples"])
    assert licensed > 0


# -- Parquet / Arrow export ------------------------------------------------------------------


def csv_rows(reg) -> list[dict[str, str]]:
    buf = io.StringIO()
    write_intervals_csv(reg, buf, AS_OF)
    return list(csv.DictReader(io.StringIO(buf.getvalue())))


def test_parquet_round_trip_gives_the_csv_rows(case):
    table = pq.read_table(case["parquet"])
    assert table.column_names == list(INTERVAL_COLUMNS)
    assert arrow_rows_as_text(table) == csv_rows(case["reg"])
    meta = table.schema.metadata
    assert meta[b"sanctrack.digest"] == case["reg"].digest.encode()
    assert meta[b"sanctrack.as_of"] == b"2026-01-15"
    assert meta[b"sanctrack.known"] == b""


def test_parquet_columns_are_typed(case):
    schema = pq.read_schema(case["parquet"])
    assert schema.field("valid_from").type == pa.date32()
    assert schema.field("recorded_to").type == pa.date32()
    assert schema.field("in_force").type == pa.bool_()
    assert schema.field("uncertain").type == pa.bool_()
    assert schema.field("version").type == pa.int32()
    assert schema.field("relief_instruments").type == pa.list_(pa.string())
    assert schema.field("target_ids").type == pa.list_(pa.string())
    assert schema.field("measure").type == pa.string()
    assert schema.field("as_of").type == pa.date32()
    assert schema.field("scheduled").type == pa.bool_()
    assert schema.field("projected_from").type == pa.date32()


def test_belaruskali_rows_typed_exactly():
    reg = build_small()
    t = interval_table(reg, as_of=AS_OF).to_pylist()
    rows = [r for r in t if r["measure"] == "us-ofac-belaruskali-sdn"]
    D = dt.date.fromisoformat
    assert [(r["status"], r["relief_instruments"], r["valid_from"], r["valid_to"], r["recorded_from"],
             r["recorded_to"], r["in_force"]) for r in rows[:2]] == [
        ("relieved", ["GL 4"], D("2021-08-09"), D("2021-12-08"), D("2021-08-09"), None, True),
        ("in_force", [], D("2021-12-08"), None, D("2021-08-09"), D("2025-12-15"), True),
    ]


def test_arrow_ipc_file_round_trip(tmp_path):
    reg = build_small()
    path = tmp_path / "intervals.arrow"
    n = write_intervals_arrow(reg, path, as_of=AS_OF, format="arrow")
    import pyarrow.feather as feather

    table = feather.read_table(path)
    assert n == table.num_rows == 19
    assert arrow_rows_as_text(table) == csv_rows(reg)
    assert table.schema.metadata[b"sanctrack.as_of"] == b"2026-01-15"


def test_partitioned_dataset_by_authority(tmp_path):
    reg = sanctrack.load()
    out = tmp_path / "intervals"
    n = write_intervals_arrow(reg, out, as_of=AS_OF, partition_by="authority")
    dirs = sorted(p.name for p in out.iterdir())
    assert dirs == sorted(f"authority={a}" for a in {r["authority"] for r in csv_rows(reg)})
    for f in out.glob("*/*.parquet"):  # every file carries the digest and the as-of date
        assert pq.read_schema(f).metadata[b"sanctrack.digest"] == reg.digest.encode()
    table = pads.dataset(out, format="parquet", partitioning="hive").to_table()
    assert table.num_rows == n
    got = arrow_rows_as_text(table.select(list(INTERVAL_COLUMNS)).cast(
        pa.schema([interval_table(reg, as_of=AS_OF).schema.field(c) for c in INTERVAL_COLUMNS])))
    key = lambda r: tuple(r[c] for c in INTERVAL_COLUMNS)  # noqa: E731
    assert sorted(got, key=key) == sorted(csv_rows(reg), key=key)
    with pytest.raises(sanctrack.SanctrackError, match="exists"):  # never written over
        write_intervals_arrow(reg, out, as_of=AS_OF, partition_by="authority")


def test_a_new_interval_column_flows_into_arrow(monkeypatch):
    """The Arrow table is built from INTERVAL_COLUMNS: a new column needs at most an ARROW_KINDS entry."""
    from sanctrack.exports import _arrow

    reg = build_small()
    rows = [dict(r, projection="true", as_of_note="x") for r in interval_rows(reg)]
    monkeypatch.setattr(_arrow, "INTERVAL_COLUMNS", INTERVAL_COLUMNS + ("projection", "as_of_note"))
    monkeypatch.setitem(_arrow.ARROW_KINDS, "projection", "bool")
    table = _arrow.interval_table(reg, as_of=AS_OF, rows=rows)
    assert table.schema.field("projection").type == pa.bool_()
    assert table.schema.field("as_of_note").type == pa.string()
    assert set(table.column("projection").to_pylist()) == {True}


def test_every_typed_column_is_a_column_of_the_table():
    assert set(ARROW_KINDS) <= set(INTERVAL_COLUMNS)


def test_cli_export_parquet_and_usage_errors(tmp_path, capsys):
    out = tmp_path / "i.parquet"
    assert main(["export", "--format", "parquet", "-o", str(out), "--as-of", "2025-12-31"]) == 0
    assert pq.read_schema(out).metadata[b"sanctrack.as_of"] == b"2025-12-31"
    assert main(["export", "--format", "parquet", "-o", str(tmp_path / "ds"), "--partition-by", "authority"]) == 0
    assert (tmp_path / "ds" / "authority=EU" / "part-0.parquet").is_file()
    capsys.readouterr()
    assert main(["export", "--format", "parquet"]) == 2
    assert "give -o FILE" in capsys.readouterr().err
    assert main(["export", "--format", "csv", "--partition-by", "authority"]) == 2
    assert main(["export", "--format", "parquet", "-o", str(tmp_path / "nodir" / "x.parquet")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not list(tmp_path.glob(".*tmp"))  # nothing half-written left behind


def test_cli_export_parquet_as_known_on_a_date(tmp_path):
    out, out_csv = tmp_path / "k.parquet", tmp_path / "k.csv"
    assert main(["export", "--format", "parquet", "--known", "2025-09-01", "-o", str(out),
                 "--as-of", "2025-09-02"]) == 0
    assert main(["export", "--format", "csv", "--known", "2025-09-01", "-o", str(out_csv),
                 "--as-of", "2025-09-02"]) == 0
    table = pq.read_table(out)
    assert table.schema.metadata[b"sanctrack.known"] == b"2025-09-01"
    with open(out_csv, encoding="utf-8", newline="") as fh:
        assert arrow_rows_as_text(table) == list(csv.DictReader(fh))
    assert max(table.column("recorded_from").to_pylist()) <= dt.date(2025, 9, 1)


# -- DuckDB over Parquet ----------------------------------------------------------------------


def _duckdb_run(case, load: str, names) -> int:
    duckdb = pytest.importorskip("duckdb")
    sql = doc_blocks("sql", "--")
    con = duckdb.connect()
    path = case["parquet"] if load == "load-parquet" else case["dir"] / "intervals.csv"
    if load == "load":
        with open(path, "w", encoding="utf-8", newline="") as fh:
            write_intervals_csv(case["reg"], fh, AS_OF)
    con.execute(sql[load].replace(f"'{path.name}'", f"'{path.as_posix()}'"))
    con.execute("CREATE TABLE transactions (id INTEGER, counterparty VARCHAR, date DATE, known DATE)")
    con.executemany("INSERT INTO transactions VALUES (?, ?, ?, ?)",
                    [(i, t, d, k) for i, (t, d, k) in enumerate(case["triples"])])
    checked = 0
    for name, now_only in names:
        if now_only:  # the query answers "as known now": compare it on the questions without a known date
            sub = {k: v for k, v in case["expected"].items() if case["triples"][k][2] is None}
            rows = [r for r in con.execute(sql[name]).fetchall() if case["triples"][r[0]][2] is None]
            checked += check(dict(case, expected=sub), rows, engine=f"duckdb {name}")
        else:
            checked += check(case, con.execute(sql[name]).fetchall(), engine=f"duckdb {name}")
    return checked


def test_duckdb_over_parquet_range_asof_and_bitemporal(case):
    n = _duckdb_run(case, "load-parquet", [("screen", True), ("asof", True), ("screen-known", False)])
    assert n >= len(case["triples"]) * 1.6


def test_duckdb_over_csv_gives_the_same_answers(case):
    assert _duckdb_run(case, "load", [("screen-known", False)]) == len(case["triples"])


# -- Polars and pandas --------------------------------------------------------------------------


def _exec_recipe(name: str, path: Path) -> dict:
    ns: dict = {}
    exec(doc_blocks("python", "#")[name].replace('"intervals.parquet"', repr(str(path))), ns)
    return ns


def test_polars_join_asof(case):
    pl = pytest.importorskip("polars")
    ns = _exec_recipe("polars", case["parquet"])
    tx = pl.DataFrame({"id": list(range(len(case["triples"]))),
                       "counterparty": [t for t, _, _ in case["triples"]],
                       "date": [d for _, d, _ in case["triples"]],
                       "known": [k for _, _, k in case["triples"]]},
                      schema={"id": pl.Int64, "counterparty": pl.String, "date": pl.Date, "known": pl.Date})
    res = ns["screen_polars"](tx, ns["intervals"])
    assert res.columns == ["id", "measure", "status", "relief_instruments", "known"]
    assert check(case, res.rows(), engine="polars") == len(case["triples"])


def test_pandas_merge_asof(case):
    pd = pytest.importorskip("pandas")
    ns = _exec_recipe("pandas", case["parquet"])
    tx = pd.DataFrame({"id": list(range(len(case["triples"]))),
                       "counterparty": [t for t, _, _ in case["triples"]],
                       "date": pd.to_datetime([d for _, d, _ in case["triples"]]),
                       "known": pd.to_datetime([k for _, _, k in case["triples"]])})
    res = ns["screen_pandas"](tx, ns["intervals"])
    rows = list(res.itertuples(index=False, name=None))
    assert check(case, rows, engine="pandas") == len(case["triples"])


# -- Spark SQL on local[2] ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def spark():
    pytest.importorskip("pyspark", reason="the Spark recipes need pyspark")
    if shutil.which("java") is None:
        pytest.skip("the Spark recipes need Java (no 'java' on PATH)")
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("sanctrack-tests")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
               .config("spark.driver.memory", "1g").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _spark_transactions(spark, case) -> None:
    spark.createDataFrame([(i, t, d, k) for i, (t, d, k) in enumerate(case["triples"])],
                          schema="id INT, counterparty STRING, date DATE, known DATE"
                          ).createOrReplaceTempView("transactions")


def test_spark_sql_range_join_and_asof_equivalent(spark, case):
    exec(doc_blocks("python", "#")["spark-load"].replace('"intervals.parquet"', repr(str(case["parquet"]))),
         {"spark": spark})
    _spark_transactions(spark, case)
    sql = doc_blocks("sql", "--")
    for name in ("spark-screen", "spark-asof"):
        rows = [tuple(r) for r in spark.sql(sql[name]).collect()]
        assert check(case, rows, engine=name) == len(case["triples"])


def test_spark_sql_has_no_asof_join(spark):
    """What docs/scale-out.md says of Spark: `ASOF` is read as a table alias, not as a join kind."""
    spark.sql("CREATE OR REPLACE TEMP VIEW a AS SELECT * FROM VALUES (1, DATE'2020-01-01') AS t(k, d)")
    spark.sql("CREATE OR REPLACE TEMP VIEW b AS SELECT * FROM VALUES (1, DATE'2019-01-01') AS t(k, d)")
    rows = spark.sql("SELECT asof.k FROM a ASOF JOIN b ON asof.k = b.k AND asof.d >= b.d").collect()
    assert [r[0] for r in rows] == [1]  # an inner join of a (aliased "asof") with b
