"""Harvest benchmark: `birlik harvest` (store included) against a plain sickle ListRecords loop.

    python bench/harvest_bench.py [--records 100000] [--page-size 100] [--work DIR]

Generates a MARCXML collection with ``bench/generate.py``, serves it with Birlik's own
provider in a separate process (``python -m harvester.provider``), then runs, each in its
own process so neither inherits the other's memory:

1. the baseline: ``for record in Sickle(url).ListRecords(metadataPrefix="marc21")`` —
   records parsed into sickle's objects and dropped, nothing stored;
2. ``python -m birlik harvest`` into a fresh state database.

Rates are records per second measured inside each process (interpreter start-up and
config loading excluded from both). Peak RSS comes from ``wait4``; the harvest's RSS is
also sampled while it runs, to show whether it stays flat as the collection grows.
Target (issue 2): harvest rate >= 1.5x the sickle loop; RSS flat.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SICKLE_LOOP = """
import sys, time
from sickle import Sickle
t0 = time.perf_counter()
n = 0
for record in Sickle(sys.argv[1], max_retries=0).ListRecords(metadataPrefix="marc21"):
    n += 1
print(n, time.perf_counter() - t0)
"""


def rss_kb(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    m = re.search(r"VmRSS:\s+(\d+) kB", text)
    return int(m.group(1)) if m else 0


def run_measured(cmd: list[str], env: dict[str, str]) -> tuple[str, int, list[int], float]:
    """Run ``cmd``; its stdout, peak RSS in kB (wait4), RSS samples every 0.25 s and the
    CPU seconds it used (user + system, start-up included)."""
    out_path = Path(tempfile.mkstemp(prefix="bench-out-")[1])
    with out_path.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.PIPE)
        samples: list[int] = []
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.25):
                samples.append(rss_kb(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        assert proc.stderr is not None
        err = proc.stderr.read().decode(errors="replace")
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        sampler.join()
    text = out_path.read_text()
    out_path.unlink()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-3000:]}\n{text}")
    return text, usage.ru_maxrss, [s for s in samples if s], usage.ru_utime + usage.ru_stime


def start_provider(
    collection: Path, page_size: int, env: dict[str, str]
) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "harvester.provider",
            str(collection),
            "--page-size",
            str(page_size),
            "--db",
            str(collection.parent / "provider.sqlite3"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    if not url.startswith("http://127.0.0.1"):
        proc.kill()
        raise SystemExit(f"provider did not start (said {url!r})")
    return proc, url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the best counts")
    parser.add_argument("--work", type=Path, help="working directory (default: a temporary one)")
    args = parser.parse_args(argv)

    work = args.work or Path(tempfile.mkdtemp(prefix="birlik-harvest-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    collection = work / f"anl-{args.records}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if not (collection / "repository.toml").exists():
        t0 = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "generate.py"),
                "--records",
                str(args.records),
                "--out",
                str(collection),
                "--source",
                "anl",
            ],
            check=True,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        print(f"generated {args.records} records in {time.perf_counter() - t0:.1f} s")

    provider, url = start_provider(collection, args.page_size, env)
    sickle_rates: list[float] = []
    harvest_rates: list[float] = []
    sickle_rss = harvest_rss = 0
    sickle_cpu: list[float] = []  # client CPU microseconds per record
    harvest_cpu: list[float] = []
    samples: list[int] = []
    n_sickle = n_harvest = 0
    try:
        for _ in range(args.repeat):  # alternate, so load from other work hits both alike
            out, rss, _, cpu = run_measured([sys.executable, "-c", SICKLE_LOOP, url], env)
            n, secs = out.split()
            n_sickle = int(n)
            sickle_rates.append(n_sickle / float(secs))
            sickle_rss = max(sickle_rss, rss)
            sickle_cpu.append(cpu / n_sickle * 1e6)

            n_harvest, rate, rss, samples, cpu = harvest_once(work, url, env)
            harvest_rates.append(rate)
            harvest_rss = max(harvest_rss, rss)
            harvest_cpu.append(cpu / n_harvest * 1e6)
    finally:
        provider.terminate()
        provider.wait(10)

    best_sickle, best_harvest = max(sickle_rates), max(harvest_rates)
    quarter = max(1, len(samples) // 4)
    early, late = max(samples[:quarter], default=0), max(samples[-quarter:], default=0)
    mib = 1024
    print(f"records: {n_sickle} (sickle), {n_harvest} (birlik harvest); page {args.page_size}")
    print(
        f"runs (records/s): sickle {', '.join(f'{r:.0f}' for r in sickle_rates)};"
        f" harvest {', '.join(f'{r:.0f}' for r in harvest_rates)}"
    )
    print(
        f"sickle ListRecords loop : {best_sickle:8.0f} records/s (best)"
        f"  peak RSS {sickle_rss / mib:6.1f} MiB"
    )
    print(
        f"birlik harvest (+store) : {best_harvest:8.0f} records/s (best)"
        f"  peak RSS {harvest_rss / mib:6.1f} MiB"
    )
    print(
        f"ratio harvest/sickle    : {best_harvest / best_sickle:8.2f}x best,"
        f" {statistics.median(harvest_rates) / statistics.median(sickle_rates):.2f}x median"
        "  (target >= 1.5x)"
    )
    print(
        f"client CPU per record   : sickle {min(sickle_cpu):.0f} us, harvest"
        f" {min(harvest_cpu):.0f} us ({min(sickle_cpu) / min(harvest_cpu):.2f}x less;"
        " start-up included, independent of machine load)"
    )
    print(
        f"harvest RSS: first quarter of the run {early / mib:.1f} MiB,"
        f" last quarter {late / mib:.1f} MiB ({len(samples)} samples)"
    )
    return 0


def harvest_once(
    work: Path, url: str, env: dict[str, str]
) -> tuple[int, float, int, list[int], float]:
    """``python -m birlik harvest`` into a fresh state database: records, rate, RSS, RSS
    samples, CPU seconds."""
    data = work / "harvest-data"
    for f in data.glob("state.sqlite3*"):
        f.unlink()
    config = work / "bench.toml"
    config.write_text(
        f'data_dir = "{data}"\n[logging]\nlevel = "WARNING"\n[[sources]]\nkey = "anl"\n'
        f'url = "{url}"\nmetadata_prefix = "marc21"\nmax_retries = 3\ntimeout = 120\n',
        encoding="utf-8",
    )
    out, rss, samples, cpu = run_measured(
        [sys.executable, "-m", "birlik", "--config", str(config), "harvest"], env
    )
    m = re.search(r"anl: ok, (\d+) new, \d+ updated, (\d+) deleted, .* in ([\d.]+) s", out)
    if not m:
        raise SystemExit(f"unexpected harvest output: {out}")
    n = int(m.group(1)) + int(m.group(2))
    return n, n / float(m.group(3)), rss, samples, cpu


if __name__ == "__main__":
    sys.exit(main())
