"""Sweep value syntax and the runs it stands for (the cartesian product, in a stable order).

One input may take several values:
- `1..8` (integer range, both ends included; `1..20..5` with a step) for number inputs;
- `5,7,9` (a list) for number, enum and boolean inputs;
- `@file` (one value per line, empty lines skipped) for text inputs; an image or file input's
  `@path` stays an upload of that file;
- the same input given more than once (`-i prompt=a -i prompt=b`): each value once.
Text inputs never split on commas (prompts hold commas). The product varies the last-given input
fastest. `count` repeats every combination; a seed input not given gets a fresh random seed
per run then.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from comfytui.errors import InputError
from comfytui.models import InputKind, InputSpec
from comfytui.sanitize import plain
from comfytui.services.upload_check import check_upload

MAX_RUNS = 10_000
NUMERIC = (
    InputKind.NUMBER,
    InputKind.INTEGER,
    InputKind.SLIDER,
    InputKind.SLIDER_INT,
    InputKind.SEED,
)
SPLIT_ON_COMMA = (*NUMERIC, InputKind.ENUM, InputKind.BOOLEAN)
FILE_KINDS = (InputKind.IMAGE, InputKind.FILE)
SEED_MAX = 2**32 - 1
_RANGE = re.compile(r"^\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*(?:\.\.\s*(\d+)\s*)?$")


@dataclass(frozen=True)
class SweepPlan:
    """Values per input (one value: fixed; more: an axis of the product) and a repeat count."""

    values: dict[str, list[Any]] = field(default_factory=dict)  # in the order given
    count: int = 1
    random_seeds: tuple[str, ...] = ()  # seed inputs that get a fresh random value per run

    @property
    def varying(self) -> tuple[str, ...]:
        axes = tuple(name for name, vals in self.values.items() if len(vals) > 1)
        return axes + self.random_seeds

    @property
    def total(self) -> int:
        n = self.count
        for vals in self.values.values():
            n *= len(vals)
        return n

    def runs(self, rng: random.Random | None = None) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """(inputs, varying values) per planned run, in the stable product order."""
        rng = rng or random.SystemRandom()
        names = list(self.values)
        varying = self.varying
        out = []
        for combo in itertools.product(*(self.values[n] for n in names)):
            for _ in range(self.count):
                inputs = dict(zip(names, combo, strict=True))
                for seed in self.random_seeds:
                    inputs[seed] = rng.randint(1, SEED_MAX)
                out.append((inputs, {n: inputs[n] for n in varying}))
        return out

    def describe(self) -> str:
        """`24 runs; varying: cfg (3 values), prompt (8 values)` in one line."""
        parts = [f"{n} ({len(v)} values)" for n, v in self.values.items() if len(v) > 1]
        parts += [f"{n} (random per run)" for n in self.random_seeds]
        text = f"{self.total} run" + ("s" if self.total != 1 else "")
        if self.count > 1:
            text += f" ({self.count} per combination)"
        return text + (f"; varying: {', '.join(parts)}" if parts else "")


def expand(spec: InputSpec | None, name: str, text: str) -> list[str | Path]:
    """The raw values one `NAME=TEXT` stands for (parsed per spec later)."""
    kind = spec.kind if spec is not None else None
    if text.startswith("@") and kind in FILE_KINDS:
        return [Path(text[1:]).expanduser()]
    if text.startswith("@") and spec is not None:
        return _lines(name, text[1:])
    if kind in NUMERIC or (kind is None and _RANGE.match(text)):
        match = _RANGE.match(text)
        if match:
            return _range(name, *match.groups())
        if ".." in text:
            raise InputError(f"input {plain(name, 40)}: bad range {plain(text, 40)!r} (use 1..8)")
    if kind in SPLIT_ON_COMMA and "," in text:
        items = [item.strip() for item in text.split(",")]
        if any(not item for item in items):
            raise InputError(f"input {plain(name, 40)}: empty value in list {plain(text, 60)!r}")
        return list(items)
    return [text]


def _range(name: str, start: str, stop: str, step: str | None) -> list[str]:
    a, b, s = int(start), int(stop), int(step) if step else 1
    if s <= 0 or b < a:
        raise InputError(f"input {plain(name, 40)}: empty range {a}..{b} (the end comes first)")
    if (b - a) // s + 1 > MAX_RUNS:
        raise InputError(f"input {plain(name, 40)}: range {a}..{b} is over {MAX_RUNS} values")
    return [str(v) for v in range(a, b + 1, s)]


def _lines(name: str, path_text: str) -> list[str]:
    path = Path(path_text).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(
            f"input {plain(name, 40)}: no such file: {plain(path_text, 200)}"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        why = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise InputError(
            f"input {plain(name, 40)}: cannot read {plain(path_text, 200)}: {why}"
        ) from None
    lines = [line.rstrip("\r") for line in text.split("\n") if line.strip()]
    if not lines:
        raise InputError(f"input {plain(name, 40)}: {plain(path_text, 200)} has no lines")
    return lines


def build_plan(
    specs: Sequence[InputSpec],
    pairs: Sequence[tuple[str, str]],
    *,
    count: int = 1,
    parse: Callable[[InputSpec, Any], Any],
    unknown: Callable[[str], InputError] | None = None,
) -> SweepPlan:
    """Check every NAME=TEXT against the specs and build the plan (nothing is sent here)."""
    by_id = {spec.input_id: spec for spec in specs}
    values: dict[str, list[Any]] = {}
    for name, text in pairs:
        spec = by_id.get(name)
        if spec is None and by_id:
            raise (unknown(name) if unknown else InputError(f"unknown input {plain(name, 40)!r}"))
        raws = expand(spec, name, text)
        parsed = [
            raw if isinstance(raw, Path) or spec is None else parse(spec, raw) for raw in raws
        ]
        for raw in parsed:
            if isinstance(raw, Path):
                check_upload(raw, input_id=name)
        values.setdefault(name, []).extend(parsed)
    if count < 1:
        raise InputError("--count must be 1 or more")
    seeds: tuple[str, ...] = ()
    if count > 1:
        seeds = tuple(
            s.input_id for s in specs if s.kind is InputKind.SEED and s.input_id not in values
        )
    plan = SweepPlan(values, count, seeds)
    if plan.total > MAX_RUNS:
        raise InputError(f"{plan.total} runs is more than the {MAX_RUNS} a sweep may hold")
    return plan


def fixed_values(plan: SweepPlan) -> Mapping[str, Any]:
    return {name: vals[0] for name, vals in plan.values.items() if len(vals) == 1}
