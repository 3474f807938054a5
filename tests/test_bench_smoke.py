"""A smoke run of every benchmark with tiny sizes, so the suite cannot rot (timings not checked)."""

from __future__ import annotations

import importlib
import math

import pytest

from benchmarks.__main__ import discover


@pytest.mark.parametrize("module_name", discover())
def test_benchmark_runs_with_tiny_sizes(module_name):
    module = importlib.import_module(f"benchmarks.{module_name}")
    results = module.run(quick=True)
    assert results, f"{module_name} produced no result"
    for result in results:
        assert result.name and result.unit
        assert not math.isnan(result.value) and result.value >= 0
        record = result.as_dict()
        assert set(record) >= {"name", "value", "baseline", "ratio", "unit", "target", "ok"}
