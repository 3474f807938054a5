"""Builders for the seed workflows: ComfyUI `workflow_api` graphs and their UI `workflow`."""

from __future__ import annotations

import json
from typing import Any

X = "ComfyUIDeployExternal"


def ext(kind: str, input_id: str, **inputs: Any) -> dict[str, Any]:
    """An external input node (§3.3) of class `ComfyUIDeployExternal<kind>`."""
    return {"class_type": f"{X}{kind}", "inputs": {"input_id": input_id, **inputs}}


def enum(input_id: str, options: list[str], default: str, **inputs: Any) -> dict[str, Any]:
    return ext("Enum", input_id, default_value=default, options=json.dumps(options), **inputs)


def graph(inputs: list[dict[str, Any]], output_format: str = "png") -> dict[str, Any]:
    """Number the input nodes, then add a small sampler pipeline ending in an output node."""
    api: dict[str, Any] = {str(i + 1): node for i, node in enumerate(inputs)}
    base = len(inputs)
    tail = [
        {
            "class_type": "CheckpointLoaderSimple",
            "inputs": {"ckpt_name": "sd_xl_base_1.0.safetensors"},
        },
        {"class_type": "CLIPTextEncode", "inputs": {"text": ["1", 0], "clip": [str(base + 1), 1]}},
        {
            "class_type": "EmptyLatentImage",
            "inputs": {"width": 512, "height": 512, "batch_size": 1},
        },
        {
            "class_type": "KSampler",
            "inputs": {"seed": 0, "steps": 20, "cfg": 7.0, "model": [str(base + 1), 0]},
        },
        {"class_type": "VAEDecode", "inputs": {"samples": [str(base + 4), 0]}},
        {
            "class_type": "ComfyDeployOutputImage",
            "inputs": {
                "output_id": "output_images",
                "file_type": output_format,
                "quality": 80,
                "images": [str(base + 5), 0],
            },
        },
    ]
    for offset, node in enumerate(tail, start=1):
        api[str(base + offset)] = node
    return api


def ui_workflow(workflow_api: dict[str, Any]) -> dict[str, Any]:
    """A minimal UI graph whose output node lets v2 discover `output_types` (§3.1)."""
    nodes = []
    for node_id, node in workflow_api.items():
        kind = node["class_type"]
        if kind == "ComfyDeployOutputImage":
            nodes.append(
                {
                    "id": int(node_id),
                    "type": "ComfyDeployStdOutputImage",
                    "widgets_values": [node["inputs"]["output_id"]],
                }
            )
        else:
            nodes.append({"id": int(node_id), "type": kind, "widgets_values": []})
    return {
        "last_node_id": len(nodes),
        "last_link_id": 0,
        "nodes": nodes,
        "links": [],
        "version": 0.4,
    }


def output_types(workflow: dict[str, Any]) -> list[dict[str, str]]:
    found = []
    for node in workflow.get("nodes", []):
        if node.get("type") in ("ComfyDeployStdOutputImage", "ComfyDeployStdOutputAny"):
            values = node.get("widgets_values") or [""]
            found.append({"class_type": node["type"], "output_id": str(values[0])})
    return found


TXT2IMG_INPUTS = [
    ext(
        "Text",
        "prompt",
        default_value="a lighthouse at dusk, oil painting",
        display_name="Prompt",
        description="What to draw",
    ),
    ext("TextSingleLine", "negative", default_value="blurry", display_name="Negative prompt"),
    ext("Seed", "seed", default_value=-1, min_value=1, max_value=4294967295),
    ext(
        "NumberSliderInt",
        "steps",
        default_value=20,
        min_value=1,
        max_value=50,
        display_name="Steps",
    ),
    ext(
        "NumberSlider",
        "cfg",
        default_value=7.0,
        min_value=1.0,
        max_value=20.0,
        display_name="CFG scale",
    ),
    ext("NumberInt", "width", default_value=512, display_name="Width"),
    ext("NumberInt", "height", default_value=512, display_name="Height"),
    enum(
        "sampler", ["euler", "euler_ancestral", "dpmpp_2m", "ddim"], "euler", display_name="Sampler"
    ),
    ext("Boolean", "hires", default_value=False, display_name="Hires fix"),
    ext(
        "Image",
        "init_image",
        default_value_url="",
        display_name="Init image",
        description="Optional image to start from",
    ),
]

MEDIA_INPUTS = [
    ext("TextAny", "caption", default_value="a caption"),
    ext("ImageAlpha", "mask", display_name="Mask"),
    ext("ImageBatch", "frames", images="[]", display_name="Frames"),
    ext("Video", "clip", default_value_url="", force_rate=0, frame_load_cap=0),
    ext("Audio", "soundtrack", audio_file=""),
    ext("File", "archive", file_url=""),
    ext("EXR", "hdri", exr_file="", tonemap="sRGB"),
    ext("Checkpoint", "checkpoint", default_value="sd_xl_base_1.0.safetensors"),
    ext("Lora", "style_lora", default_lora_name="none", lora_save_name="", lora_url=""),
    ext("Number", "strength", default_value=0.75, display_name="Strength"),
    ext(
        "FaceModel",
        "face",
        default_face_model_name="none",
        face_model_save_name="",
        face_model_url="",
    ),
]

SIMPLE_INPUTS = [
    ext("Text", "prompt", default_value="a cat", display_name="Prompt"),
    ext("NumberInt", "width", default_value=256),
    ext("NumberInt", "height", default_value=256),
]
