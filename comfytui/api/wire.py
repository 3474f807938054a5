"""Lenient pydantic field types and the base of the wire models (both dialects).

Wire models (pydantic, `extra="ignore"`) validate what the server sent; optional fields are
`Lenient[...]`, so a null, a missing key or a value of the wrong type becomes None instead of a
failure. Only what a model cannot exist without (an id) is strict. Imported only when a parse
needs a wire model (pydantic costs ~100 ms to import): a plainly typed run body never does
(`api/run_fields.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, WrapValidator
from pydantic import ValidationError as PydanticError

from comfytui.api.parse_common import required_id

T = TypeVar("T")


def _or_none(value: Any, handler: Callable[[Any], Any]) -> Any:
    try:
        return handler(value)
    except PydanticError:
        return None


def _aware(value: Any, handler: Callable[[Any], Any]) -> datetime | None:
    parsed = _or_none(value, handler)
    if isinstance(parsed, datetime):
        offset = parsed.utcoffset()
        if offset is None or not offset:
            return parsed.replace(tzinfo=UTC)  # naive (assumed UTC) or pydantic's TzInfo(UTC)
    return parsed


Lenient = Annotated[T | None, WrapValidator(_or_none)]
Timestamp = Annotated[datetime | None, WrapValidator(_aware)]
Id = Annotated[str, BeforeValidator(required_id)]


class Wire(BaseModel):
    """Base of the wire models: ignore extra keys, numbers accepted where text is expected."""

    # defer_build: a model's validator is built on its first use, not at import (a command
    # that reads one run must not pay for the deployment, machine and workflow models)
    model_config = ConfigDict(
        extra="ignore", coerce_numbers_to_str=True, frozen=True, defer_build=True
    )
