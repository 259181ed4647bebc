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

from .paths import REPO_ROOT

SYNTHETIC_BANNER = "[BẢN SAO TỔNG HỢP ĐỂ ĐO HIỆU NĂNG / SYNTHETIC BENCHMARK COPY: not a real report]"
LOCALITIES = [
    "Yên Lạc", "Tam Dương", "Lập Thạch", "Sông Lô", "Vĩnh Tường", "Hoằng Hóa", "Hậu Lộc", "Nga Sơn",
    "Quảng Xương", "Tĩnh Gia", "Đức Phổ", "Mộ Đức", "Nghĩa Hành", "Sơn Hà", "Minh Long", "Chư Păh",
    "Ia Grai", "Đak Đoa", "Mang Yang", "Chư Sê", "Krông Pa", "Phú Thiện", "Đông Hòa", "Tuy An",
]


QUARTERS = ["Đông", "Tây", "Nam", "Bắc", "Thượng", "Hạ", "Trung", "Tân", "Phú", "An"]


def _perturb(text: str, rng: random.Random) -> str:
    """Scale every quantity mention by a random factor, keeping Vietnamese formatting."""
    from babel.numbers import format_decimal

    from .clean import split_lines
    from .mentions import find_mentions

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
            new = format_decimal(max(0, int(int(m.value) * factor)), locale="vi")
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
    from .atomic import write_bytes

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
    from .corpus import parallel_imap

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


def _run(cmd: list[str], env: dict | None = None) -> tuple[float, int]:
    """Wall time and peak RSS (MB, children included) of a command."""
    full = dict(os.environ)
    full.update(env or {})
    wrapped = [sys.executable, "-c",
               "import resource,subprocess,sys,time;t=time.perf_counter();r=subprocess.run(sys.argv[1:]);"
               "print('BENCH', time.perf_counter()-t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode)",
               *cmd]
    proc = subprocess.run(wrapped, cwd=REPO_ROOT, env=full, capture_output=True, text=True)
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("BENCH ")][-1].split()
    if line[3] != "0":
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return float(line[1]), int(line[2]) // 1024


def bench_extraction(raw_dir: Path, work: Path, size_bytes: int, n: int) -> dict:
    lower = regex_lower_bound(raw_dir)
    code = ("from pathlib import Path; import sys; from grassroots.stage_extract import extract_corpus;"
            "s = extract_corpus(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]));"
            "print(s.counts)")
    wall, peak = _run([sys.executable, "-c", code, str(raw_dir), str(work / "interim"), str(work / "processed")])
    return {
        "reports": n, "megabytes": round(size_bytes / 2**20, 1), "seconds": round(wall, 2),
        "reports_per_s": round(n / wall, 1), "mb_per_s": round(size_bytes / 2**20 / wall, 2),
        "peak_rss_mb": peak, "regex_scan_seconds": round(lower, 3),
        "ratio_to_regex_scan": round(wall / lower, 1) if lower else None,
        "workers": os.cpu_count(),
    }


def bench_validation_and_brief(processed: Path, reports: Path) -> dict:
    out = {}
    code = ("from pathlib import Path; import sys; from grassroots.validate import validate_corpus;"
            "validate_corpus(Path(sys.argv[1]))")
    try:
        wall, peak = _run([sys.executable, "-c", code, str(processed)])
        out["validation"] = {"seconds": round(wall, 2), "peak_rss_mb": peak}
    except Exception as exc:  # noqa: BLE001 - report what failed, keep benchmarking
        out["validation"] = {"error": str(exc)[:500]}
    code = ("from pathlib import Path; import sys; from grassroots.brief import build_briefs;"
            "build_briefs(Path(sys.argv[1]), Path(sys.argv[2]))")
    try:
        wall, peak = _run([sys.executable, "-c", code, str(processed), str(reports)])
        sizes = {p.name: p.stat().st_size for p in (reports / "briefs").glob("*.html")}
        out["brief"] = {"seconds": round(wall, 2), "peak_rss_mb": peak, "bytes": sizes}
    except Exception as exc:  # noqa: BLE001
        out["brief"] = {"error": str(exc)[:500]}
    return out


def bench_pipeline(work: Path) -> dict:
    """`make all` on the seeds: cold, then nothing changed; versus the naive CLI chain."""
    env = {"INTERIM_DIR": str(work / "interim"), "PROCESSED_DIR": str(work / "processed"),
           "REPORTS_DIR": str(work / "reports")}
    cold, _ = _run(["make", "--no-print-directory", "all"], env)
    warm, _ = _run(["make", "--no-print-directory", "all"], env)
    # naive chain: papermill CLI per notebook, nbconvert CLI to HTML; no caching, no skipping
    bindir = Path(sys.executable).parent
    naive_dir = work / "naive"
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
    naive = time.perf_counter() - t0
    return {"make_all_cold_s": round(cold, 2), "make_all_nothing_changed_s": round(warm, 2),
            "naive_chain_s": round(naive, 2), "ratio_cold_to_naive": round(cold / naive, 2)}


def main() -> int:
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "1000,10000").split(",") if s]
    out_dir = REPO_ROOT / "reports" / "bench"
    result = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}, "extraction": [],
              "note": "Synthetic corpora generated from the seed reports (new ids, localities, perturbed figures)."}
    with tempfile.TemporaryDirectory(prefix="grassroots-bench-") as tmp:
        tmp = Path(tmp)
        print("bench: whole pipeline on the seed corpus ...", flush=True)
        result["pipeline_seeds"] = bench_pipeline(tmp / "seeds")
        for n in sizes:
            raw = tmp / f"raw{n}"
            print(f"bench: generating {n} synthetic reports ...", flush=True)
            size = make_corpus(REPO_ROOT / "data" / "raw", raw, n)
            print(f"bench: extracting {n} reports ...", flush=True)
            work = tmp / f"work{n}"
            row = bench_extraction(raw, work, size, n)
            if n == max(sizes):
                row |= bench_validation_and_brief(work / "processed", work / "reports")
            result["extraction"].append(row)
            shutil.rmtree(raw)
    out_dir.mkdir(parents=True, exist_ok=True)
    from .atomic import write_text

    write_text(out_dir / "bench.json", json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    write_text(out_dir / "README.md", summary_markdown(result))
    print(summary_markdown(result))
    return 0


def summary_markdown(r: dict) -> str:
    lines = ["# Benchmark summary", "", r["note"], "",
             f"Machine: {r['machine']['cpus']} CPUs, Python {r['machine']['python']}.", "",
             "| reports | MB | seconds | reports/s | MB/s | peak RSS MB | regex scan s | ratio |",
             "|---|---|---|---|---|---|---|---|"]
    for e in r["extraction"]:
        lines.append(f"| {e['reports']} | {e['megabytes']} | {e['seconds']} | {e['reports_per_s']} | "
                     f"{e['mb_per_s']} | {e['peak_rss_mb']} | {e['regex_scan_seconds']} | {e['ratio_to_regex_scan']} |")
    last = r["extraction"][-1] if r["extraction"] else {}
    for key in ("validation", "brief"):
        if key in last:
            lines.append(f"\n{key} at {last['reports']} reports: {json.dumps(last[key], ensure_ascii=False)}")
    p = r.get("pipeline_seeds", {})
    lines += ["", f"`make all` on the seeds: cold {p.get('make_all_cold_s')} s, nothing changed "
              f"{p.get('make_all_nothing_changed_s')} s; naive papermill+nbconvert CLI chain "
              f"{p.get('naive_chain_s')} s (ratio {p.get('ratio_cold_to_naive')})."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
