"""Pieces both dialect parsers share: run outputs, error text, list bodies, `guard`.

No pydantic here (its wire models live in `api/wire.py`, loaded only when a parse needs them).
`guard` turns any failure of a parse function into `ProtocolError`, the one error parsers raise.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Mapping
from typing import Any, ParamSpec, TypeVar
from urllib.parse import unquote, urlsplit

from comfytui.errors import ProtocolError
from comfytui.models import OutputFile
from comfytui.sanitize import plain

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

ERROR_LIMIT = 300


def guard(what: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorator: any failure inside a parse function becomes one ProtocolError naming `what`."""

    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def inner(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return fn(*args, **kwargs)
            except ProtocolError:
                raise
            except (TypeError, ValueError, KeyError, AttributeError, OverflowError, RecursionError):
                where = _pydantic_where(sys.exc_info()[1])
                suffix = f" ({where})" if where else ""
                raise ProtocolError(f"unexpected {what} reply{suffix}") from None

        return inner

    return wrap


def _pydantic_where(exc: BaseException | None) -> str | None:
    """Where a pydantic ValidationError (a ValueError) failed ("id", "body"); None for any
    other error. pydantic is only looked at when something already imported it."""
    core = sys.modules.get("pydantic_core")
    if core is None or not isinstance(exc, core.ValidationError):
        return None
    first = exc.errors()[0] if exc.error_count() else {}
    return ".".join(str(p) for p in first.get("loc", ())) or "body"


def required_id(value: Any) -> str:
    """An id the model cannot exist without: a non-empty string, or an integer as text."""
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise ValueError("missing id")
    return str(value)


def as_list(data: Any, what: str) -> list[Any]:
    """A listing body: a JSON list, or an object wrapping one (`items`, `data`, `runs`, ...)."""
    if isinstance(data, list):
        return data
    if isinstance(data, Mapping):
        for key in ("items", "data", "results", "runs", "deployments", "workflows", "machines"):
            if isinstance(data.get(key), list):
                return data[key]
    raise ProtocolError(f"unexpected {what} reply (not a list)")


def seconds(value: float | None) -> float | None:
    """A server-given duration in seconds: finite, not negative, under a year; else None."""
    if value is None or not 0.0 <= value < 366 * 86400.0:  # also NaN and inf
        return None
    return float(value)


def progress_fraction(value: float | None) -> float | None:
    """0..1; a 0..100 percentage (seen in vendor docs) is scaled down."""
    if value is None or value != value:  # NaN
        return None
    if value > 1.0:
        value = value / 100.0
    return min(max(value, 0.0), 1.0)


def _filename(url: str) -> str:
    name = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    return name or "output"


def _media(kind: str, item: Any, output_id: str | None) -> OutputFile | None:
    if isinstance(item, str):
        if item.startswith(("http://", "https://")):
            return OutputFile(url=item, filename=_filename(item), kind=kind, output_id=output_id)
        return None
    if not isinstance(item, Mapping) or not isinstance(item.get("url"), str) or not item["url"]:
        return None
    url = item["url"]
    name = item.get("filename")
    oid = item.get("output_id")
    return OutputFile(
        url=url,
        filename=name if isinstance(name, str) and name else _filename(url),
        kind=kind,
        type=item.get("type") if isinstance(item.get("type"), str) else None,
        subfolder=item.get("subfolder") if isinstance(item.get("subfolder"), str) else None,
        output_id=oid if isinstance(oid, str) else output_id,
    )


def _error_text(value: Any) -> str | None:
    """`data.error`: a string, `{error_type, stack_trace}`, `{message}` or ComfyUI node_errors."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, Mapping):
        for key in ("exception_message", "message", "error_message", "error"):
            if isinstance(value.get(key), str) and value[key]:
                kind = value.get("exception_type") or value.get("error_type")
                return f"{kind}: {value[key]}" if isinstance(kind, str) and kind else value[key]
        if isinstance(value.get("error_type"), str):
            return value["error_type"]
        for node_id, node in value.items():  # node_errors: {node_id: {errors: [...], class_type}}
            if isinstance(node, Mapping) and isinstance(node.get("errors"), list):
                first = next((e for e in node["errors"] if isinstance(e, Mapping)), {})
                text = " ".join(str(first.get(k, "")) for k in ("message", "details")).strip()
                return f"node {node_id} ({node.get('class_type', '?')}): {text or 'error'}"
    if isinstance(value, list):
        return next((t for t in map(_error_text, value) if t), None)
    return None


def collect_outputs(outputs: Any) -> tuple[tuple[OutputFile, ...], tuple[str, ...], str | None]:
    """Media files, texts and the first error text from a run's `outputs` list.

    `data` may be an object of lists (the usual shape) or a list (per-node timings); items
    may be media objects, URL strings, plain strings or booleans. Unknown shapes are skipped.
    """
    if not isinstance(outputs, list) or not outputs:
        return (), (), None
    files: dict[str, OutputFile] = {}
    texts: list[str] = []
    error: str | None = None
    for output in outputs:
        if not isinstance(output, Mapping) or not isinstance(output.get("data"), Mapping):
            continue
        oid = output.get("output_id") if isinstance(output.get("output_id"), str) else None
        for kind, value in output["data"].items():
            if kind == "error":
                error = error or _error_text(value)
                continue
            items = value if isinstance(value, list) else [value]
            for item in items:
                media = _media(str(kind), item, oid)
                if media is not None:
                    files.setdefault(media.url, media)
                elif isinstance(item, str) and item:
                    texts.append(item)
    return tuple(files.values()), tuple(texts), plain(error, ERROR_LIMIT) if error else None
