"""The outside audit's defects (issue 20), each reproduced as it was written, now refused or fixed.

1. a file vanishing between the listing and its read; 3. errors escaping as
other exceptions; 4. hangs on FIFOs; 5. unbounded importer input; 6.
integrity that could be switched off; 7. streams; 8. the smaller ones. (2,
the floors, is proven by the oldest-pins CI run.)
"""

from __future__ import annotations

import datetime as dt
import errno
import io
import json
import os
import shutil
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path

import pytest

import sanctrack
from sanctrack import InvalidDate, RegistryError, UnreadableFile, _cache, _files, cli
from sanctrack.exports import dump_json, load_json
from sanctrack.importers import ofac

FIXTURES = Path(__file__).parent / "fixtures" / "registries"
DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "real-sanctions"
SANCTRACK = [sys.executable, "-m", "sanctrack"]
ROW = '36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
ROW2 = '306,"BANCO NACIONAL DE CUBA",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"a.k.a. \'BNC\'."\r\n'


@pytest.fixture(autouse=True)
def _own_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANCTRACK_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


def small(tmp_path: Path) -> Path:
    root = tmp_path / "reg"
    shutil.copytree(FIXTURES / "base", root)
    return root


def bundled_copy(tmp_path: Path) -> Path:
    root = tmp_path / "bundled"
    shutil.copytree(_files.bundled_path(), root)
    return root


def problems(root: Path) -> list[str]:
    with pytest.raises(RegistryError) as exc:
        sanctrack.load(root, cache=False)
    return [str(p) for p in exc.value.problems]


def run(*args: str, timeout: float = 60, env: dict | None = None, **kw) -> subprocess.CompletedProcess:
    e = dict(os.environ, **(env or {}))
    return subprocess.run([*SANCTRACK, *args], capture_output=True, text=True, timeout=timeout, env=e, **kw)


# -- 1. a file listed, then gone ------------------------------------------------------


def test_1_a_measure_renamed_right_after_the_listing_is_not_dropped_silently(tmp_path, monkeypatch):
    """The audit's reproduction: os.listdir wrapped to move one listed file away right after listing."""
    root = bundled_copy(tmp_path)
    expected = sanctrack.load(cache=False)
    victim = root / "measures" / "us-ofac-belavia-sdn.yaml"
    aside = tmp_path / "aside.yaml"
    real_listdir = os.listdir
    calls = []

    def listdir(path=None):
        if aside.exists():
            aside.rename(victim)  # ... and back (an editor's save, a checkout)
        names = real_listdir(path)
        if "us-ofac-belavia-sdn.yaml" in names:
            calls.append(1)
            if len(calls) == 1:
                victim.rename(aside)  # gone between the listing and the read ...
        return names

    monkeypatch.setattr(os, "listdir", listdir)
    reg = sanctrack.load(root, cache=False)
    assert (len(reg.measures), reg.digest) == (len(expected.measures), expected.digest)
    assert len(calls) >= 2  # the directory was read again


def test_1_a_measure_gone_for_good_gives_the_registry_without_it(tmp_path, monkeypatch):
    root = bundled_copy(tmp_path)
    without = bundled_copy(tmp_path / "w")
    (without / "measures" / "us-bis-belavia-tdo.yaml").unlink()
    # the premise: the bundled registry still builds without this measure (nothing links to it);
    # if a data change breaks that, the test must pick another measure, not skip
    wanted = sanctrack.load(without, cache=False)
    want = wanted.digest
    real_listdir = os.listdir
    moved = []

    def listdir(path=None):
        names = real_listdir(path)
        if "us-bis-belavia-tdo.yaml" in names and not moved:
            moved.append(1)
            (root / "measures" / "us-bis-belavia-tdo.yaml").rename(tmp_path / "gone.yaml")
        return names

    monkeypatch.setattr(os, "listdir", listdir)
    reg = sanctrack.load(root, cache=False)
    assert (len(reg.measures), reg.digest) == (len(wanted.measures), want)  # the directory as it now is, read whole
    assert len(wanted.measures) == len(sanctrack.load(cache=False).measures) - 1


def test_1_a_directory_changing_on_every_read_is_one_located_problem(tmp_path, monkeypatch):
    root = small(tmp_path)
    m = root / "measures" / "us-ofac-acme-sdn.yaml"
    real_listdir = os.listdir

    def listdir(path=None):
        names = real_listdir(path)
        if "us-ofac-acme-sdn.yaml" in names:
            m.write_bytes(m.read_bytes() + b"\n")  # rewritten after every listing
        return names

    monkeypatch.setattr(os, "listdir", listdir)
    with pytest.raises(RegistryError) as exc:
        sanctrack.load(root, cache=False)
    (p,) = exc.value.problems
    assert p.path == str(root)
    assert p.message.startswith("the registry changed while loading")


# -- 3. errors that escaped as other exceptions ------------------------------------------

BIG = "9" * 5000


def test_3_a_5000_digit_count_is_a_located_problem(tmp_path):
    root = small(tmp_path)
    rel = root / "releases" / "release-2024-02-01.yaml"
    rel.write_text(rel.read_text().replace("count: 2", f"count: {BIG}"))
    (p,) = problems(root)
    assert p.startswith(f"{root}/releases/release-2024-02-01.yaml:4:8: count: a whole number of 5000 digits "
                        "is too large (at most 100 digits) at $.count")


def test_3_a_5000_digit_figure_value_is_a_located_problem(tmp_path):
    root = small(tmp_path)
    rel = root / "releases" / "release-2024-02-01.yaml"
    rel.write_text(rel.read_text().replace("    value: 2", f"    value: {BIG}"))
    (p,) = problems(root)
    assert p.startswith(f"{root}/releases/release-2024-02-01.yaml:9:12: value: a whole number of 5000 digits")
    assert "at $.figures[0].value" in p


def test_3_a_5000_digit_number_in_a_json_export_is_a_located_problem(tmp_path):
    reg = sanctrack.load(small(tmp_path), cache=False)
    buf = io.StringIO()
    dump_json(reg, buf)
    text = buf.getvalue().replace('"format_version": 1', f'"format_version": {BIG}')
    path = tmp_path / "big.json"
    path.write_text(text)
    with pytest.raises(RegistryError) as exc:
        load_json(path)
    (p,) = exc.value.problems
    line = text[: text.index(BIG)].count("\n") + 1
    assert (p.path, p.line) == (str(path), line)
    assert p.message == "a number of 5000 digits is too large (at most 100 digits)"


@pytest.mark.parametrize("key", ["../../../../etc/passwd", "/etc/passwd", "/usr/share/zoneinfo/UTC",
                                 "./UTC", "Europe/../Europe/Brussels", "/dev/zero", "UTC\x00"])
def test_3_path_like_timezone_keys_are_located_problems(tmp_path, key):
    root = small(tmp_path)
    auth = root / "authorities.yaml"
    auth.write_text(auth.read_text().replace("timezone: America/New_York", f"timezone: {json.dumps(key)}"))
    found = problems(root)
    assert found and all(p.startswith(f"{root}/authorities.yaml:4:13: invalid time zone ") for p in found), found


WHENS = ["0001-01-01T00:00+14:00", "9999-12-31T23:59-12:00"]


@pytest.mark.parametrize("when", WHENS)
def test_3_instants_at_the_ends_of_the_range_are_invalid_dates(when):
    reg = sanctrack.load()
    calls = [lambda: reg.state("us-ofac-belavia-sdn", when), lambda: reg.in_force(when),
             lambda: reg.diff(when, "2025-01-01"), lambda: reg.diff("2025-01-01", when),
             lambda: reg.explain("us-ofac-belavia-sdn", when), lambda: reg.compare("belavia", when),
             lambda: reg.state("us-ofac-belavia-sdn", dt.datetime.fromisoformat(when))]
    for call in calls:
        with pytest.raises(InvalidDate, match="out of range"):
            call()


@pytest.mark.parametrize("argv", [["state", "us-ofac-belavia-sdn", WHENS[0]], ["in-force", WHENS[1]],
                                  ["diff", WHENS[0], "2025-01-01"], ["explain", "us-ofac-belavia-sdn", WHENS[1]],
                                  ["compare", "belavia", WHENS[0]], ["timeline", "--to", "9999-12-31", "-o", "x.html"]])
def test_3_the_cli_says_invalid_date_for_the_range_ends(argv, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("sanctrack: error: invalid date ") and "out of range" in err
    assert not (tmp_path / "x.html").exists()


def test_3_import_old_date_at_the_range_end_is_an_invalid_date(tmp_path, capsys):
    old, new = tmp_path / "old.csv", tmp_path / "new.csv"
    old.write_text(ROW)
    new.write_text(ROW + ROW2)
    with pytest.raises(InvalidDate, match="out of range"):
        ofac.parse_snapshot_date("0001-01-01T00:00+14:00")
    code = cli.main(["import", "ofac-sdn", str(old), str(new), "--old-date", "0001-01-01T00:00+14:00",
                     "--new-date", "2024-01-02"])
    err = capsys.readouterr().err
    assert code == 1 and "out of range" in err and "internal error" not in err


def test_3_a_registry_effective_at_at_the_range_start_is_a_located_problem(tmp_path):
    root = small(tmp_path)
    m = root / "measures" / "us-ofac-acme-sdn.yaml"
    m.write_text(m.read_text().replace("    effective: 2024-01-10\n",
                                       "    effective: 2024-01-10\n    effective_at: 0001-01-01T00:00:00+14:00\n"))
    (p,) = problems(root)
    assert p.startswith(f"{root}/measures/us-ofac-acme-sdn.yaml:12:19: effective_at: invalid date "
                        "'0001-01-01T00:00:00+14:00'")
    assert "out of range" in p and "internal error" not in p


# -- 4. hangs ----------------------------------------------------------------------------

fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")


def _load_in_child(root: Path, cache: Path) -> subprocess.CompletedProcess:
    code = f"import sanctrack; r = sanctrack.load({str(root)!r}, cache_dir={str(cache)!r}); print(r.digest)"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


@fifo
@pytest.mark.parametrize("where", ["secret", "entry", "entry-symlink", "stat-entry"])
def test_4_a_fifo_in_the_cache_never_hangs_a_load(tmp_path, where):
    root = small(tmp_path)
    cache = tmp_path / "c"
    digest = sanctrack.load(root, cache_dir=cache).digest
    entry = next(cache.glob("registry-*.json"))
    if where == "secret":
        (cache / "secret").unlink()
        os.mkfifo(cache / "secret")
    elif where == "entry":
        entry.unlink()
        os.mkfifo(entry)
    elif where == "entry-symlink":
        entry.unlink()
        os.mkfifo(tmp_path / "pipe")
        entry.symlink_to(tmp_path / "pipe")
    else:
        sig = _files.stat_signature(root, limits=(sanctrack._loader.MAX_DEPTH, sanctrack._loader.MAX_NODES))
        p = cache / f"stat-{sig[0]}.json"
        p.unlink(missing_ok=True)
        os.mkfifo(p)
    t = time.monotonic()
    done = _load_in_child(root, cache)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == digest
    assert time.monotonic() - t < 30


@fifo
def test_4_the_importer_refuses_fifo_snapshots_without_hanging(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    os.mkfifo(a)
    os.mkfifo(b)
    done = run("import", "ofac-sdn", str(a), str(b), "--old-date", "2024-01-01", "--new-date", "2024-01-02",
               timeout=30)
    assert done.returncode == 1
    assert f"{a}: not a regular file (a FIFO (named pipe))" in done.stderr
    assert "Traceback" not in done.stderr


# -- 5. unbounded importer input ---------------------------------------------------------


def _child_peak(code: str) -> tuple[subprocess.CompletedProcess, float]:
    """Run ``code`` in a child; its result and its peak resident memory in MB."""
    # VmHWM: this process's own high-water mark (ru_maxrss would carry the forking parent's over exec)
    wrapper = code + ("\nimport re\nprint('PEAK', re.search(r'VmHWM:\\s*(\\d+)', "
                      "open('/proc/self/status').read()).group(1))")
    t = time.monotonic()
    done = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True, timeout=120)
    elapsed = time.monotonic() - t
    peak = [int(line.split()[1]) for line in done.stdout.splitlines() if line.startswith("PEAK")]
    return done, (peak[0] / 1024 if peak else float("nan")), elapsed


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_5_dev_zero_is_refused_at_once():
    with pytest.raises(UnreadableFile, match=r"/dev/zero: not a regular file \(a character device\)"):
        ofac.read_snapshot("/dev/zero", "2024-01-01")


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs Linux's /proc for the peak memory")
def test_5_a_newline_free_300_mb_file_is_refused_quickly_in_bounded_memory(tmp_path):
    big = tmp_path / "flat.csv"
    with open(big, "wb") as fh:
        fh.write(b"1," + b"A" * (1 << 20))  # a first line of a MiB, then 299 MB of NUL bytes (sparse)
        fh.truncate(300 * 1024 * 1024)
    code = ("from sanctrack.importers import ofac\n"
            f"try:\n    ofac.read_snapshot({str(big)!r}, '2024-01-01')\n"
            "except ofac.OfacFormatError as exc:\n    print('REFUSED', exc)\n")
    done, peak, elapsed = _child_peak(code)
    assert f"REFUSED {big}:1: a line longer than 1,048,576 characters" in done.stdout, done.stderr
    assert peak < 150, f"peak {peak:.0f} MB"


# -- 5 / issue 23: a tolerant reader of the real files -------------------------------------


def _real(name: str) -> Path:
    p = DATA / name
    if not p.is_file():
        pytest.skip(f"real sanctions data not found at {p}")
    return p


@pytest.mark.parametrize("name, count", [("ofac_sdn_2023-08-03.csv", 12800), ("ofac_sdn_2024-05-03.csv", 14965)])
@pytest.mark.parametrize("ending", ["no final newline", "EOF byte right after the last record", "LF only",
                                    "LF, no final newline"])
def test_real_sdn_csv_reads_whatever_its_ending(tmp_path, name, count, ending):
    data = _real(name).read_bytes()
    assert data.endswith(b"\r\n\x1a")
    body = data[: -len(b"\r\n\x1a")]
    variant = {"no final newline": body, "EOF byte right after the last record": body + b"\x1a",
               "LF only": body.replace(b"\r\n", b"\n") + b"\n",
               "LF, no final newline": body.replace(b"\r\n", b"\n")}[ending]
    copy = tmp_path / "copy.csv"
    copy.write_bytes(variant)
    want = ofac.read_snapshot(_real(name), "2024-01-01")
    got = ofac.read_snapshot(copy, "2024-01-01")
    assert len(got) == len(want) == count
    assert dict(got.entries) == dict(want.entries)


def test_real_sdn_csv_cut_inside_a_record_is_refused_with_its_line(tmp_path):
    data = _real("ofac_sdn_2024-05-03.csv").read_bytes()
    lines = data.split(b"\r\n")
    cut_short = b"\r\n".join(lines[:100]) + b"\r\n" + lines[100].split(b",")[0] + b',"HALF'
    path = tmp_path / "cut.csv"
    path.write_bytes(cut_short)
    with pytest.raises(ofac.TruncatedSnapshot) as exc:
        ofac.read_snapshot(path, "2024-01-01")
    assert exc.value.line == 101 and "cut off" in str(exc.value)
    fields = lines[100].split(b",")
    path.write_bytes(b"\r\n".join(lines[:100]) + b"\r\n" + b",".join(fields[:6]))  # 6 of 12 fields
    with pytest.raises(ofac.TruncatedSnapshot, match=r"cut.csv:101: last record is cut off \(6 of 12 fields"):
        ofac.read_snapshot(path, "2024-01-01")


# -- 6. integrity that could be switched off -----------------------------------------------


@pytest.mark.parametrize("how", ["deleted", "null"])
def test_6_an_export_without_its_digest_is_refused_unless_allowed(tmp_path, how, capsys):
    reg = sanctrack.load(small(tmp_path), cache=False)
    buf = io.StringIO()
    dump_json(reg, buf)
    doc = json.loads(buf.getvalue())
    if how == "deleted":
        del doc["digest"]
    else:
        doc["digest"] = None
    doc["registry"]["entities"][0]["name"] = "Edited By Hand"
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(RegistryError, match="has no digest"):
        load_json(path)
    loaded = load_json(path, allow_unverified=True)
    assert loaded.entity("acme").name == "Edited By Hand" and loaded.digest != reg.digest
    assert cli.main(["validate", "--registry", str(path)]) == 1
    assert "has no digest" in capsys.readouterr().err
    assert cli.main(["validate", "--registry", str(path), "--allow-unverified"]) == 0
    assert loaded.digest in capsys.readouterr().out


def _forge(cache: Path, secret: bytes) -> None:
    """Re-sign every entry with ``secret`` after swapping a title (what a planted secret allows)."""
    for entry in cache.glob("registry-*.json"):
        body = entry.read_bytes().partition(b"\n")[2].replace(b"SDN blocking of Acme", b"FORGED title of Acme")
        entry.write_bytes(_cache._sign(secret, body) + b"\n" + body)


@pytest.mark.parametrize("plant", ["0644 secret", "group-writable directory", "symlinked secret"])
def test_6_a_planted_secret_switches_the_cache_off(tmp_path, plant, capsys, monkeypatch):
    root = small(tmp_path)
    cache = tmp_path / "shared-cache"
    good = sanctrack.load(root, cache_dir=cache)
    for stat_entry in cache.glob("stat-*.json"):
        stat_entry.unlink()
    planted = b"p" * 32
    secret = cache / "secret"
    secret.unlink()
    if plant == "symlinked secret":
        (tmp_path / "elsewhere").write_bytes(planted)
        os.chmod(tmp_path / "elsewhere", 0o600)
        secret.symlink_to(tmp_path / "elsewhere")
    else:
        secret.write_bytes(planted)
        os.chmod(secret, 0o644 if plant == "0644 secret" else 0o600)
    if plant == "group-writable directory":
        os.chmod(cache, 0o775)
    _forge(cache, planted)
    reg = sanctrack.load(root, cache_dir=cache)
    assert reg.measure("us-ofac-acme-sdn").title == "SDN blocking of Acme Trading LLC"
    assert reg.digest == good.digest
    on, why = _cache.status(directory=cache)
    assert not on and why.startswith("off: ")
    monkeypatch.setenv("SANCTRACK_CACHE_DIR", str(cache))
    assert cli.main(["validate", str(root), "--verbose"]) == 0
    assert f"cache: {why}\n" in capsys.readouterr().out


# -- 7. streams --------------------------------------------------------------------------------


def test_7_a_closed_stdout_gives_one_line_and_no_traceback():
    done = subprocess.run([*SANCTRACK, "in-force", "2025-09-20"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True, timeout=60, preexec_fn=lambda: os.close(1))
    assert "Traceback" not in done.stderr
    assert done.stderr == "sanctrack: error: cannot write the answer: standard output is closed\n"
    assert done.returncode == 1


def test_7_an_ascii_terminal_gets_replacement_characters_not_exit_70():
    done = run("in-force", "2025-09-20", "--target", "Belavia", env={"PYTHONIOENCODING": "ascii"})
    assert done.returncode == 0, done.stderr
    assert "# 6 in force on 2025-09-20 ? belarus" in done.stdout


# -- 8. the smaller ones ------------------------------------------------------------------------


def test_8_a_full_disk_leaves_no_secret_temporaries(tmp_path, monkeypatch):
    root = small(tmp_path)
    cache = tmp_path / "c"
    real_fdopen = os.fdopen

    class Full(io.RawIOBase):
        def __init__(self, fd: int) -> None:
            self.fd = fd

        def writable(self) -> bool:
            return True

        def write(self, b) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

        def close(self) -> None:
            os.close(self.fd)
            super().close()

    monkeypatch.setattr(_cache.os, "fdopen", lambda fd, *a, **k: Full(fd))
    for _ in range(3):
        assert sanctrack.load(root, cache_dir=cache).info.name
    monkeypatch.setattr(_cache.os, "fdopen", real_fdopen)
    assert [p.name for p in cache.iterdir() if p.name.startswith(".secret-")] == []


def test_8_a_truncated_secret_is_replaced(tmp_path):
    root = small(tmp_path)
    cache = tmp_path / "c"
    sanctrack.load(root, cache_dir=cache)
    secret = cache / "secret"
    secret.write_bytes(secret.read_bytes()[:10])
    assert _cache.status(directory=cache)[1].endswith("the next load replaces it)")
    sanctrack.load(root, cache_dir=cache)  # a miss: parses, and writes a new secret and entry
    assert len(secret.read_bytes()) == 32
    assert _cache.status(directory=cache) == (True, f"on, in {cache}")
    assert _cache.get(_cache.key_of(_files.registry_files(root, []), limits=(sanctrack._loader.MAX_DEPTH,
                                                                             sanctrack._loader.MAX_NODES)),
                      cache) is not None


@pytest.mark.parametrize("name", ["Measures", "measure", "MEASURES", "Releases", "releses"])
def test_8_a_misspelt_directory_is_a_problem(tmp_path, name):
    root = small(tmp_path)
    d = "measures" if name.lower().startswith("m") else "releases"
    (root / d).rename(root / name)
    found = problems(root)
    assert f"{root}/{name}: unknown directory {name!r} in the registry: its files are not read " \
           f"(hint: did you mean {d!r}? only {d}/ (lower case) is read)" in found


def test_8_a_dot_file_measure_is_a_problem(tmp_path):
    root = small(tmp_path)
    m = root / "measures" / "us-ofac-acme-sdn.yaml"
    m.rename(root / "measures" / ".us-ofac-acme-sdn.yaml")
    found = problems(root)
    assert found[0].startswith(f"{root}/measures/.us-ofac-acme-sdn.yaml: hidden file "
                               "'measures/.us-ofac-acme-sdn.yaml' is not read")


def test_8_empty_format_is_a_usage_error(capsys):
    assert cli.main(["in-force", "2025-09-20", "--format", ""]) == 2
    assert capsys.readouterr().err == ("sanctrack: error: invalid --format '' for in-force: expected one of "
                                       "table, json, csv\n")


def test_8_two_importers_on_one_target_both_succeed(tmp_path):
    old, new, newer = tmp_path / "old.csv", tmp_path / "new.csv", tmp_path / "newer.csv"
    old.write_text(ROW)
    new.write_text(ROW + ROW2)
    newer.write_text(ROW2)
    target = tmp_path / "imported"
    procs = []
    for n in range(6):
        a, b = (old, new) if n % 2 else (new, newer)
        procs.append(subprocess.Popen([*SANCTRACK, "import", "ofac-sdn", str(a), str(b), "--old-date", "2024-01-01",
                                       "--new-date", "2024-01-02", "-o", str(target)],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    assert [code for code, _ in results] == [0] * 6, results
    assert sorted(p.name for p in tmp_path.iterdir()) == ["imported", "new.csv", "newer.csv", "old.csv"]
    sanctrack.load(target, cache=False)  # the last writer's registry, whole


def test_lock_beside_serialises_writers(tmp_path):
    target = tmp_path / "t"
    order = []
    code = ("import sys, time\nfrom sanctrack._files import lock_beside\n"
            f"with lock_beside({str(target)!r}):\n    print('in', time.monotonic(), flush=True)\n"
            "    time.sleep(0.3)\n    print('out', time.monotonic(), flush=True)\n")
    ps = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True) for _ in range(3)]
    for p in ps:
        out, _ = p.communicate(timeout=60)
        order.append([float(line.split()[1]) for line in out.splitlines()])
    spans = sorted(order)
    for (_a_in, a_out), (b_in, _b_out) in pairwise(spans):
        assert b_in >= a_out  # never two holders at once
    assert not (tmp_path / ".t.sanctrack-lock").exists()
