"""`make bench`: run every benchmarks/bench_*.py, print a table, write benchmarks/results.json."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
from pathlib import Path

from benchmarks.common import Result

HERE = Path(__file__).resolve().parent
#: the rows issue 9 asks for (targets in each module); a full run must produce every one
REQUIRED = (
    "startup_first_rows",
    "startup_demo_first_rows",
    "startup_vs_peers_cached",
    "startup_vs_peers_demo",
    "idle_cpu_vs_posting",
    "cache_first_page",
    "cache_upsert",
    "client_get_run",
    "client_vs_sdk",
    "watch_200_runs",
    "image_preview_2048",
    "rss_100k_runs",
    "emulator_runs_per_s",
    "terminal_idle_main",
    "terminal_idle_run_image",
    "terminal_image_resends",
    "gallery_first_paint_cold",
    "gallery_first_paint_warm",
    "rss_10k_outputs_gallery",
    "logs_follow_lag_p99",
    "logs_follow_rss_growth",
    "sweep_send_100",
)


def machine() -> str:
    """One line: CPU count and model, Python, OS (what the figures were measured on)."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            model = next(
                (line.split(":", 1)[1].strip() for line in info if line.startswith("model name")),
                model,
            )
    except OSError:
        pass
    return (
        f"{os.cpu_count()} x {model} ({platform.machine()}), "
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def discover() -> list[str]:
    return sorted(p.stem for p in HERE.glob("bench_*.py"))


def run_all(quick: bool, only: list[str] | None = None) -> list[Result]:
    results: list[Result] = []
    for module_name in discover():
        if only and not any(o in module_name for o in only):
            continue
        module = importlib.import_module(f"benchmarks.{module_name}")
        started = time.perf_counter()
        try:
            results.extend(module.run(quick=quick))
        except Exception as exc:  # noqa: BLE001 - one broken benchmark must not hide the others
            results.append(Result(module_name, float("nan"), None, "error", None, note=repr(exc)))
        print(f"  {module_name}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return results


def table(results: list[Result]) -> str:
    rows = [("name", "value", "baseline", "ratio", "unit", "target", "ok", "spread")]
    for r in results:
        rows.append(
            (
                r.name,
                f"{r.value:.4g}",
                "-" if r.baseline is None else f"{r.baseline:.4g}",
                "-" if r.ratio is None else f"{r.ratio:.2f}",
                r.unit,
                "-" if r.target is None else f"{r.target:g}",
                {True: "yes", False: "NO", None: "-"}[r.ok],
                f"{r.spread:.0%}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows
    )


def markdown(records: list[dict]) -> str:
    """The results as a Markdown table (for docs/performance.md), from results.json records."""

    def num(value: float | None) -> str:
        return "-" if value is None else f"{value:.3g}"

    lines = [
        "| benchmark | value | baseline | ratio | target | ok | spread |",
        "|---|---:|---:|---:|---:|:-:|---:|",
    ]
    for r in records:
        ok = {True: "yes", False: "**no**", None: "-"}[r["ok"]]
        lines.append(
            f"| `{r['name']}` | {num(r['value'])} {r['unit']} | {num(r['baseline'])} | "
            f"{num(r['ratio'])} | {num(r['target'])} | {ok} | {r['spread']:.0%} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke run)")
    parser.add_argument(
        "--markdown", action="store_true", help="print results.json as a Markdown table; no run"
    )
    parser.add_argument("only", nargs="*", help="run only benchmarks whose module matches")
    args = parser.parse_args(argv)
    out = HERE / "results.json"
    if args.markdown:
        print(markdown(json.loads(out.read_text())))
        return 0
    print(f"machine: {machine()}", file=sys.stderr)
    started = time.perf_counter()
    results = run_all(args.quick, args.only)
    print(table(results))
    print(f"total: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    missing = [name for name in REQUIRED if name not in {r.name for r in results}]
    if missing and not args.quick and not args.only:
        print(f"MISSING rows: {', '.join(missing)}", file=sys.stderr)
    if args.quick:  # a smoke run must not overwrite the figures of the last full run
        out = out.with_name("results-quick.json")
    elif args.only:  # nor a run of some modules (`python -m benchmarks startup peers`)
        out = out.with_name("results-subset.json")
    out.write_text(json.dumps([r.as_dict() for r in results], indent=2) + "\n")
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
