"""Input discovery from a workflow graph (§3.1) and value parsing for every InputKind."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comfytui.errors import InputError
from comfytui.models import InputKind, InputSpec
from comfytui.services.inputs import discover_inputs, parse_value, validate_inputs

P = "ComfyUIDeployExternal"
GRAPH = {
    "3": {"class_type": "KSampler", "inputs": {"seed": 1}},
    "10": {
        "class_type": f"{P}Text",
        "inputs": {"input_id": "prompt", "default_value": "a cat", "display_name": "Prompt"},
    },
    "11": {"class_type": f"{P}TextSingleLine", "inputs": {"input_id": "neg"}},
    "12": {"class_type": f"{P}Number", "inputs": {"input_id": "cfg", "default_value": 7.5}},
    "13": {"class_type": f"{P}NumberInt", "inputs": {"input_id": "width", "default_value": 512}},
    "14": {
        "class_type": f"{P}NumberSlider",
        "inputs": {"input_id": "denoise", "default_value": 0.5, "min_value": 0, "max_value": 1},
    },
    "15": {
        "class_type": f"{P}NumberSliderInt",
        "inputs": {"input_id": "steps", "default_value": 20, "min_value": 1, "max_value": 50},
    },
    "16": {"class_type": f"{P}Boolean", "inputs": {"input_id": "hires", "default_value": False}},
    "17": {
        "class_type": f"{P}Enum",
        "inputs": {
            "input_id": "sampler",
            "default_value": "euler",
            "options": '["euler", "dpm++"]',
        },
    },
    "18": {
        "class_type": f"{P}Seed",
        "inputs": {
            "input_id": "seed",
            "default_value": -1,
            "min_value": 1,
            "max_value": 4294967295,
        },
    },
    "19": {"class_type": f"{P}Image", "inputs": {"input_id": "init", "default_value_url": ""}},
    "20": {"class_type": f"{P}ImageBatch", "inputs": {"input_id": "refs", "images": "[]"}},
    "21": {"class_type": f"{P}Lora", "inputs": {"input_id": "lora", "lora_url": ""}},
    "22": {"class_type": f"{P}Video", "inputs": {"input_id": "clip"}},
    "9": {"class_type": "SaveImage", "inputs": {"images": ["3", 0]}},
    "23": "not a node",
    "24": {"class_type": f"{P}Text", "inputs": {"input_id": ""}},
}


def test_discovery_finds_every_kind_in_node_order():
    specs = discover_inputs(GRAPH)
    assert [(s.input_id, s.kind) for s in specs] == [
        ("prompt", InputKind.TEXT),
        ("neg", InputKind.TEXT_LINE),
        ("cfg", InputKind.NUMBER),
        ("width", InputKind.INTEGER),
        ("denoise", InputKind.SLIDER),
        ("steps", InputKind.SLIDER_INT),
        ("hires", InputKind.BOOLEAN),
        ("sampler", InputKind.ENUM),
        ("seed", InputKind.SEED),
        ("init", InputKind.IMAGE),
        ("refs", InputKind.IMAGES),
        ("lora", InputKind.FILE),
        ("clip", InputKind.FILE),
    ]
    by_id = {s.input_id: s for s in specs}
    assert by_id["prompt"].default == "a cat" and by_id["prompt"].label == "Prompt"
    assert (by_id["steps"].min_value, by_id["steps"].max_value) == (1, 50)
    assert by_id["sampler"].enum_options == ("euler", "dpm++")


@pytest.mark.parametrize("graph", [None, [], "x", {}, {"1": {"class_type": "KSampler"}}])
def test_discovery_of_nothing(graph):
    assert discover_inputs(graph) == ()


SPECS = {s.input_id: s for s in discover_inputs(GRAPH)}


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("prompt", "a fox\nin snow", "a fox\nin snow"),
        ("neg", "blurry", "blurry"),
        ("cfg", "7", 7.0),
        ("cfg", 3, 3.0),
        ("width", "768", 768),
        ("width", "1_024", 1024),
        ("width", 640.0, 640),
        ("denoise", "0.25", 0.25),
        ("steps", "50", 50),
        ("hires", "yes", True),
        ("hires", "off", False),
        ("hires", True, True),
        ("sampler", "DPM++", "dpm++"),
        ("seed", "-1", -1),
        ("seed", "42", 42),
        ("init", "https://x.test/a.png", "https://x.test/a.png"),
        ("init", "data:image/png;base64,AAAA", "data:image/png;base64,AAAA"),
        (
            "refs",
            "https://a/1.png, https://a/2.png",
            json.dumps(["https://a/1.png", "https://a/2.png"]),
        ),
        ("refs", ["https://a/1.png"], json.dumps(["https://a/1.png"])),
        ("lora", "https://civitai.test/x.safetensors", "https://civitai.test/x.safetensors"),
    ],
)
def test_parse_value_per_kind(name, text, expected):
    value = parse_value(SPECS[name], text)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize(
    ("name", "text", "words"),
    [
        ("cfg", "lots", "expected a number"),
        ("cfg", "nan", "expected a number"),
        ("width", "1.5", "whole number"),
        ("width", True, "boolean"),
        ("denoise", "1.5", "outside 0..1"),
        ("steps", "0", "outside 1..50"),
        ("hires", "maybe", "true or false"),
        ("sampler", "ddim", "not one of"),
        ("seed", "-5", "outside"),
        ("init", "/no/such/file.png", "no such file"),
        ("refs", "[1, 2]", "list of image URLs"),
        ("refs", "ftp://x", "not a URL"),
    ],
)
def test_parse_value_rejects(name, text, words):
    with pytest.raises(InputError) as info:
        parse_value(SPECS[name], text)
    assert words in str(info.value) and name in str(info.value)


def test_local_file_becomes_a_path(tmp_path):
    image = tmp_path / "in.png"
    image.write_bytes(b"\x89PNG")
    assert parse_value(SPECS["init"], str(image)) == image
    assert parse_value(SPECS["init"], f"@{image}") == image
    assert parse_value(SPECS["clip"], image) == image


def test_validate_inputs():
    specs = tuple(SPECS.values())
    assert validate_inputs(specs, {"steps": "30", "hires": "1"}) == {"steps": 30, "hires": True}
    with pytest.raises(InputError, match="unknown input 'stepz'"):
        validate_inputs(specs, {"stepz": 3})
    assert validate_inputs((), {"anything": "goes"}) == {"anything": "goes"}


def test_other_kind_passes_through():
    spec = InputSpec("x", "Mystery", InputKind.OTHER)
    assert parse_value(spec, "abc") == "abc" and parse_value(spec, 3) == 3


@given(st.integers(min_value=-(10**6), max_value=10**6))
def test_slider_int_range_property(value):
    spec = SPECS["steps"]
    if 1 <= value <= 50:
        assert parse_value(spec, str(value)) == value
    else:
        with pytest.raises(InputError):
            parse_value(spec, str(value))
