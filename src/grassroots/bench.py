"""`make bench`: throughput and scale on synthetic corpora, side by side with lower bounds.

Writes reports/bench/bench.json and reports/bench/README.md. Measures, in one run:
- extraction at 1,000 and 10,000 synthetic reports (reports/s, MB/s, peak memory) against a
  lower bound on the same files: read each file and scan it once with one regex for numbers;
- the whole pipeline (`make all`) on the seed corpus, cold and with nothing changed, against a
  naive chain (papermill CLI per notebook, then nbconvert CLI to HTML);
- validation time and peak memory at 10,000 reports, and brief rendering time at 10,000.

Synthetic corpora are generated from the seed reports: every copy gets a new id
("synthetic_NNNNN"), a different locality name and perturbed figures (each quantity mention
scaled by a random factor), and starts with a line saying it is synthetic. No cache or dedup
can short-cut them. Set BENCH_SIZES=1000,10000 (default) to choose the sizes.
"""

from __future__ import annotations

import functools
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grassroots.paths import REPO_ROOT
from grassroots.pipeline.corpus import default_workers

SYNTHETIC_BANNER = "[BẢN SAO TỔNG HỢP ĐỂ ĐO HIỆU NĂNG / SYNTHETIC BENCHMARK COPY: not a real report]"
LOCALITIES = [
    "Yên Lạc", "Tam Dương", "Lập Thạch", "Sông Lô", "Vĩnh Tường", "Hoằng Hóa", "Hậu Lộc", "Nga Sơn",
    "Quảng Xương", "Tĩnh Gia", "Đức Phổ", "Mộ Đức", "Nghĩa Hành", "Sơn Hà", "Minh Long", "Chư Păh",
    "Ia Grai", "Đak Đoa", "Mang Yang", "Chư Sê", "Krông Pa", "Phú Thiện", "Đông Hòa", "Tuy An",
]


QUARTERS = ["Đông", "Tây", "Nam", "Bắc", "Thượng", "Hạ", "Trung", "Tân", "Phú", "An"]


def _perturb(text: str, rng: random.Random) -> str:
    """Scale every quantity mention by a random factor, keeping Vietnamese formatting."""
    from grassroots.clean import split_lines
    from grassroots.extract.mentions import find_mentions
    from grassroots.numbers import format_vi

    out_lines = []
    for line in split_lines(text):
        pieces, pos = [], 0
        for m in find_mentions(line):
            if m.value != m.value.to_integral_value() or m.unit_normalized == "%":
                continue  # keep decimals and percentages: they must stay in range
            start = line.find(m.value_text, m.start)
            if start < 0:
                continue
            factor = rng.uniform(0.6, 1.6)
            new = format_vi(max(0, int(int(m.value) * factor)))
            pieces.append(line[pos:start])
            pieces.append(new)
            pos = start + len(m.value_text)
        pieces.append(line[pos:])
        out_lines.append("".join(pieces))
    return "\n".join(out_lines)


SEED_NAMES = {"trieuson": "Triệu Sơn", "bato": "Ba Tô", "kbang": "Kbang"}


@functools.lru_cache(maxsize=2)
def _seeds(seed_dir: Path) -> tuple[tuple[str, str], ...]:
    return tuple((p.stem, p.read_text(encoding="utf-8")) for p in sorted(seed_dir.glob("*.txt")))


def _synthetic_one(args: tuple[int, int, Path, Path]) -> int:
    """Write synthetic report i (its own random stream, so copies can be made in parallel)."""
    from grassroots.pipeline.atomic import write_bytes

    i, seed, seed_dir, target = args
    seeds = _seeds(seed_dir)
    sid, text = seeds[i % len(seeds)]
    original = SEED_NAMES.get(sid.split("_")[0], "")
    rng = random.Random(f"{seed}:{i}")
    place = f"{rng.choice(LOCALITIES)} {rng.choice(QUARTERS)}"
    body = text.replace(original, place) if original else text
    data = (SYNTHETIC_BANNER + "\n" + _perturb(body, rng)).encode("utf-8")
    write_bytes(target / f"synthetic_{i:05d}.txt", data)
    return len(data)


def make_corpus(seed_dir: Path, target: Path, n: int, seed: int = 20261122) -> int:
    """Write n synthetic reports into target (on all cores); returns the total bytes written.

    Copy i is seed report i mod 3 with its own random stream: a new id, a different locality name
    and perturbed figures. The same n and seed give the same files.
    """
    from grassroots.pipeline.corpus import parallel_imap

    target.mkdir(parents=True, exist_ok=True)
    jobs = [(i, seed, Path(seed_dir), target) for i in range(n)]
    return sum(parallel_imap(_synthetic_one, jobs, desc="synthetic corpus", chunksize=64))


def regex_lower_bound(raw_dir: Path) -> float:
    """Read every file and scan it once with a single regex for numbers: the floor for extraction."""
    rx = re.compile(r"\d+(?:[.,]\d+)*")
    t0 = time.perf_counter()
    n = 0
    for path in sorted(raw_dir.glob("*.txt")):
        n += len(rx.findall(path.read_text(encoding="utf-8")))
    return time.perf_counter() - t0


def _tree_rss_mb(pgid: int) -> int:
    """Resident memory (MB) of every process in a process group: an upper bound, as pages that
    forked workers share with their parent are counted once per process."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.getpgid(int(entry)) != pgid:
                continue
            with open(f"/proc/{entry}/statm") as fh:
                total += int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            continue
    return total // 2**20


def _run(cmd: list[str], env: dict | None = None) -> dict:
    """Run a command; its wall time, the peak RSS of its largest process and the peak summed RSS
    of its process group (sampled every 0.1 s where /proc exists)."""
    full = dict(os.environ)
    full.update(env or {})
    wrapped = [sys.executable, "-c",
               "import resource,subprocess,sys,time;t=time.perf_counter();r=subprocess.run(sys.argv[1:]);"
               "print('BENCH', time.perf_counter()-t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode)",
               *cmd]
    # output to files, not pipes: a full pipe would block the command while it is being sampled
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(wrapped, cwd=REPO_ROOT, env=full, stdout=out, stderr=err, text=True,
                                start_new_session=True)
        peak_tree = 0
        while proc.poll() is None:
            if os.path.isdir("/proc"):
                peak_tree = max(peak_tree, _tree_rss_mb(proc.pid))
            time.sleep(0.1)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    line = [ln for ln in stdout.splitlines() if ln.startswith("BENCH ")][-1].split()
    if line[3] != "0":
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{stdout[-2000:]}\n{stderr[-2000:]}")
    return {"seconds": round(float(line[1]), 2), "peak_rss_mb": int(line[2]) // 1024,
            "peak_rss_all_processes_mb": peak_tree or None}


def bench_extraction(raw_dir: Path, work: Path, size_bytes: int, n: int, repeats: int = 2) -> dict:
    """Extraction of a corpus (all cores) against the regex-scan lower bound on the same files.

    Both are measured ``repeats`` times, interleaved (scan, extraction, scan, extraction, ...,
    scan), and the fastest of each counts: on a shared machine one slow minute then decides
    neither. Every extraction starts cold, in a fresh process and fresh directories. The peak
    memory is the largest seen. The tables of the last run are left in ``work``."""
    code = ("from pathlib import Path; import sys; from grassroots.pipeline.stage_functions import extract;"
            "s = extract(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]));"
            "print(s.counts)")
    scans, runs = [regex_lower_bound(raw_dir)], []
    for _ in range(repeats):
        shutil.rmtree(work, ignore_errors=True)
        runs.append(_run([sys.executable, "-c", code, str(raw_dir), str(work / "interim"), str(work / "processed")]))
        scans.append(regex_lower_bound(raw_dir))
    wall, lower = min(r["seconds"] for r in runs), min(scans)
    peaks = [r["peak_rss_all_processes_mb"] for r in runs if r["peak_rss_all_processes_mb"]]
    return {
        "reports": n, "megabytes": round(size_bytes / 2**20, 1), "seconds": wall,
        "reports_per_s": round(n / wall, 1), "mb_per_s": round(size_bytes / 2**20 / wall, 2),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs), "peak_rss_all_processes_mb": max(peaks, default=None),
        "runs": [r["seconds"] for r in runs],
        "regex_scan_seconds": round(lower, 3), "regex_scan_runs": [round(x, 3) for x in scans],
        "ratio_to_regex_scan": round(wall / lower, 1) if lower else None,
        "workers": default_workers(),
    }


def bench_validation_and_brief(processed: Path, reports: Path) -> dict:
    out = {}
    code = ("from pathlib import Path; import sys; from grassroots.validate import validate_corpus;"
            "validate_corpus(Path(sys.argv[1]))")
    try:
        out["validation"] = _run([sys.executable, "-c", code, str(processed)])
    except Exception as exc:  # noqa: BLE001 - report what failed, keep benchmarking
        out["validation"] = {"error": str(exc)[:500]}
    code = ("from pathlib import Path; import sys; from grassroots.brief import build_briefs;"
            "build_briefs(Path(sys.argv[1]), Path(sys.argv[2]))")
    try:
        out["brief"] = _run([sys.executable, "-c", code, str(processed), str(reports)])
        out["brief"]["bytes"] = {p.name: p.stat().st_size for p in sorted((reports / "briefs").glob("*.html"))}
    except Exception as exc:  # noqa: BLE001
        out["brief"] = {"error": str(exc)[:500]}
    return out


def bench_pipeline(work: Path, repeats: int = 2) -> dict:
    """`make all` on the seeds, cold (fresh directories) and with nothing changed, against a naive
    chain: the papermill command line per notebook, then the nbconvert command line to HTML, with
    no caching or skipping. Each is run ``repeats`` times; the fastest run counts for both."""
    colds, warms, naives = [], [], []
    bindir = Path(sys.executable).parent
    for i in range(repeats):
        d = work / f"run{i}"
        env = {"INTERIM_DIR": str(d / "interim"), "PROCESSED_DIR": str(d / "processed"),
               "REPORTS_DIR": str(d / "reports")}
        colds.append(_run(["make", "--no-print-directory", "all"], env)["seconds"])
        warms.append(_run(["make", "--no-print-directory", "all"], env)["seconds"])
        naive_dir = d / "naive"
        naive_dir.mkdir()
        params = []
        for key in ("RAW_DIR", "INTERIM_DIR", "PROCESSED_DIR", "REPORTS_DIR"):
            params += ["-p", key, str(naive_dir / key.lower()) if key != "RAW_DIR" else str(REPO_ROOT / "data/raw")]
        t0 = time.perf_counter()
        for nb in sorted((REPO_ROOT / "notebooks").glob("*.ipynb")):
            out = naive_dir / nb.name
            subprocess.run([str(bindir / "papermill"), str(nb), str(out), *params, "--no-progress-bar"],
                           cwd=REPO_ROOT / "notebooks", check=True, capture_output=True)
            subprocess.run([str(bindir / "jupyter-nbconvert"), "--to", "html", "--no-input", str(out)],
                           check=True, capture_output=True)
        naives.append(round(time.perf_counter() - t0, 2))
    cold, naive = min(colds), min(naives)
    return {"make_all_cold_s": cold, "make_all_nothing_changed_s": min(warms), "naive_chain_s": naive,
            "ratio_cold_to_naive": round(cold / naive, 2), "runs": {"cold": colds, "nothing_changed": warms,
                                                                    "naive": naives}}


def profile_extraction(raw_dir: Path, n: int = 200, top: int = 15) -> list[dict]:
    """cProfile of the per-report extraction over the first n files: the functions with the most
    cumulative time, as shares of the total (where to look next)."""
    import cProfile
    import pstats

    from grassroots.extract import extract_text, warm_up
    from grassroots.pipeline import rawio

    warm_up()
    files = sorted(raw_dir.glob("*.txt"))[:n]
    texts = [(p.stem, *rawio.read_raw(p)[:2]) for p in files]
    profiler = cProfile.Profile()
    profiler.enable()
    for report_id, text, encoding in texts:
        extract_text(report_id, text, encoding)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = max(stats.total_tt, 1e-9)
    rows = []
    for (filename, _, func), (_, _, tottime, cumtime, _) in stats.stats.items():
        if "grassroots" not in filename:
            continue
        rows.append({"function": f"{Path(filename).stem}.{func}", "cumulative_share": round(cumtime / total, 3),
                     "own_share": round(tottime / total, 3)})
    rows.sort(key=lambda r: -r["cumulative_share"])
    return rows[:top]


TARGETS = [
    # (key, description, test)
    ("extract_10k_under_120s", "10,000 reports extracted in under 2 minutes",
     lambda r: _at(r, 10000, "seconds") is not None and _at(r, 10000, "seconds") < 120),
    ("extract_peak_under_2gb", "extraction peak memory under 2 GB (all processes)",
     lambda r: _at(r, 10000, "peak_rss_all_processes_mb") is not None
     and _at(r, 10000, "peak_rss_all_processes_mb") < 2048),
    ("extract_within_10x_regex_scan", "extraction within 10x of the regex-scan lower bound (10,000 reports)",
     lambda r: _at(r, 10000, "ratio_to_regex_scan") is not None and _at(r, 10000, "ratio_to_regex_scan") <= 10),
    ("make_all_half_naive", "make all (cold) at most half the naive papermill+nbconvert chain",
     lambda r: r.get("pipeline_seeds", {}).get("ratio_cold_to_naive", 9) <= 0.5),
    ("make_all_unchanged_under_1s", "make all with nothing changed under 1 s",
     lambda r: r.get("pipeline_seeds", {}).get("make_all_nothing_changed_s", 9) < 1),
]


def _at(result: dict, n: int, key: str):
    row = next((e for e in result.get("extraction", []) if e["reports"] == n), None)
    return None if row is None else row.get(key)


def main() -> int:
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "1000,10000").split(",") if s]
    out_dir = REPO_ROOT / "reports" / "bench"
    result = {"machine": {"cpus": os.cpu_count(), "workers": default_workers(), "python": sys.version.split()[0]},
              "extraction": [],
              "note": ("Synthetic corpora generated from the seed reports: every copy has a new id "
                       "(synthetic_NNNNN), a different locality name, perturbed figures and a first line "
                       "saying it is a synthetic benchmark copy. Not real reports.")}
    with tempfile.TemporaryDirectory(prefix="grassroots-bench-") as tmp:
        tmp = Path(tmp)
        print("bench: whole pipeline on the seed corpus (cold, nothing changed, naive chain; twice) ...", flush=True)
        result["pipeline_seeds"] = bench_pipeline(tmp / "seeds")
        for n in sizes:
            raw = tmp / f"raw{n}"
            print(f"bench: generating {n} synthetic reports ...", flush=True)
            size = make_corpus(REPO_ROOT / "data" / "raw", raw, n)
            print(f"bench: extracting {n} reports ...", flush=True)
            work = tmp / f"work{n}"
            row = bench_extraction(raw, work, size, n)
            if n == max(sizes):
                print(f"bench: validating and rendering the briefs of {n} reports ...", flush=True)
                row |= bench_validation_and_brief(work / "processed", work / "reports")
                print("bench: profiling extraction ...", flush=True)
                result["profile"] = profile_extraction(raw)
            result["extraction"].append(row)
            shutil.rmtree(raw)
    result["targets"] = [{"target": key, "description": text, "met": bool(test(result))}
                         for key, text, test in TARGETS]
    out_dir.mkdir(parents=True, exist_ok=True)
    from grassroots.pipeline.atomic import write_text

    write_text(out_dir / "bench.json", json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    write_text(out_dir / "README.md", summary_markdown(result))
    print(summary_markdown(result))
    return 0


def summary_markdown(r: dict) -> str:
    m = r["machine"]
    lines = ["# Benchmark summary", "", r["note"], "",
             f"Machine: {m['cpus']} CPUs ({m.get('workers', m['cpus'])} extraction workers), Python {m['python']}.", "",
             "## Extraction", "",
             "| reports | MB | seconds | reports/s | MB/s | peak RSS MB (largest process / all) | regex scan s | ratio |",
             "|---|---|---|---|---|---|---|---|"]
    for e in r["extraction"]:
        lines.append(f"| {e['reports']} | {e['megabytes']} | {e['seconds']} | {e['reports_per_s']} | "
                     f"{e['mb_per_s']} | {e['peak_rss_mb']} / {e.get('peak_rss_all_processes_mb')} | "
                     f"{e['regex_scan_seconds']} | {e['ratio_to_regex_scan']} |")
    last = r["extraction"][-1] if r["extraction"] else {}
    for key in ("validation", "brief"):
        if key in last:
            lines.append(f"\n{key} at {last['reports']} reports: {json.dumps(last[key], ensure_ascii=False)}")
    p = r.get("pipeline_seeds", {})
    lines += ["", "## Whole pipeline on the seeds", "",
              f"`make all` cold {p.get('make_all_cold_s')} s, nothing changed {p.get('make_all_nothing_changed_s')} s; "
              f"naive papermill+nbconvert CLI chain {p.get('naive_chain_s')} s (ratio {p.get('ratio_cold_to_naive')}); "
              f"all runs: {json.dumps(p.get('runs', {}))}."]
    if r.get("profile"):
        lines += ["", "## Where extraction spends its time (cProfile, 200 reports)", "",
                  "| function | cumulative | own |", "|---|---|---|"]
        lines += [f"| {row['function']} | {row['cumulative_share']:.0%} | {row['own_share']:.0%} |"
                  for row in r["profile"]]
    if r.get("targets"):
        lines += ["", "## Targets", "", "| target | met |", "|---|---|"]
        lines += [f"| {t['description']} | {'yes' if t['met'] else 'no'} |" for t in r["targets"]]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
