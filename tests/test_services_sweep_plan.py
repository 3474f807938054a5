"""Sweep value syntax: ranges, lists, files, repeats, --count with seeds, product order."""

from __future__ import annotations

import random

import pytest

from comfytui.errors import InputError
from comfytui.models import InputKind, InputSpec
from comfytui.services.inputs import parse_value
from comfytui.services.sweep_plan import build_plan

SPECS = (
    InputSpec("prompt", "ComfyUIDeployExternalText", InputKind.TEXT),
    InputSpec(
        "seed", "ComfyUIDeployExternalSeed", InputKind.SEED, min_value=1, max_value=2**32 - 1
    ),
    InputSpec(
        "cfg", "ComfyUIDeployExternalNumberSlider", InputKind.SLIDER, min_value=1, max_value=20
    ),
    InputSpec(
        "steps",
        "ComfyUIDeployExternalNumberSliderInt",
        InputKind.SLIDER_INT,
        min_value=1,
        max_value=50,
    ),
    InputSpec("init", "ComfyUIDeployExternalImage", InputKind.IMAGE),
)


def plan(*pairs: tuple[str, str], count: int = 1):
    return build_plan(SPECS, pairs, count=count, parse=parse_value)


def test_range_list_and_product_order():
    p = plan(("seed", "1..3"), ("cfg", "5,7"))
    assert p.total == 6
    assert p.varying == ("seed", "cfg")
    runs = [inputs for inputs, _ in p.runs()]
    assert runs == [{"seed": s, "cfg": c} for s in (1, 2, 3) for c in (5.0, 7.0)]
    assert p.runs()[1][1] == {"seed": 1, "cfg": 7.0}
    assert p.describe() == "6 runs; varying: seed (3 values), cfg (2 values)"


def test_range_with_step_and_single_value_is_fixed():
    p = plan(("steps", "10..30..10"), ("prompt", "a cat, oil painting"))
    assert [i["steps"] for i, _ in p.runs()] == [10, 20, 30]
    assert all(i["prompt"] == "a cat, oil painting" for i, _ in p.runs())  # no comma split
    assert p.varying == ("steps",)


def test_file_gives_one_value_per_line_and_images_stay_uploads(tmp_path):
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("a fox\n\nan owl, at night\r\n", encoding="utf-8")
    image = tmp_path / "in.png"
    image.write_bytes(b"\x89PNG")
    p = plan(("prompt", f"@{prompts}"), ("init", f"@{image}"))
    assert p.total == 2
    assert [i["prompt"] for i, _ in p.runs()] == ["a fox", "an owl, at night"]
    assert p.values["init"] == [image]


def test_repeated_input_lists_its_values():
    p = plan(("prompt", "one"), ("prompt", "two"))
    assert [i["prompt"] for i, _ in p.runs()] == ["one", "two"]


def test_count_gives_fresh_seeds_unless_given():
    p = plan(("cfg", "5,7"), count=3)
    assert p.total == 6 and p.random_seeds == ("seed",)
    runs = p.runs(random.Random(1))
    seeds = [i["seed"] for i, _ in runs]
    assert len(set(seeds)) == 6 and all(1 <= s < 2**32 for s in seeds)
    fixed = plan(("seed", "42"), count=3)
    assert fixed.random_seeds == () and [i["seed"] for i, _ in fixed.runs()] == [42, 42, 42]


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        ((("seed", "1..x"),), "bad range"),
        ((("seed", "5..1"),), "empty range"),
        ((("cfg", "5,,7"),), "empty value"),
        ((("cfg", "5,99"),), "cfg"),
        ((("prompt", "@/nonexistent/prompts.txt"),), "no such file"),
        ((("nope", "1"),), "unknown input"),
        ((("seed", "1..200"), ("steps", "1..50"), ("cfg", "1..20")), "more than"),
    ],
)
def test_bad_syntax_is_one_line(pairs, message):
    with pytest.raises(InputError) as info:
        plan(*pairs)
    assert message in str(info.value) and "\n" not in str(info.value)
