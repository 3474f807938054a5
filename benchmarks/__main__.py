"""`make bench`: run every benchmarks/bench_*.py, print a table, write benchmarks/results.json."""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import sys
import time
from pathlib import Path

from benchmarks.common import Result

HERE = Path(__file__).resolve().parent


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke run)")
    parser.add_argument("only", nargs="*", help="run only benchmarks whose module matches")
    args = parser.parse_args(argv)
    print(
        f"machine: {platform.machine()}, {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.system()}",
        file=sys.stderr,
    )
    results = run_all(args.quick, args.only)
    print(table(results))
    out = HERE / "results.json"
    out.write_text(json.dumps([r.as_dict() for r in results], indent=2) + "\n")
    print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
