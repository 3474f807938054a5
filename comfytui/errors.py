"""The error hierarchy: every error carries a one-line message a user can act on.

Messages never contain the API key. The CLI maps `exit_code` to its process exit code and the
TUI shows `str(error)` in a notification.
"""

from __future__ import annotations

from collections.abc import Sequence


class ComfyTuiError(Exception):
    """Base of every error comfytui raises on purpose; `str()` is the one-line user message."""

    exit_code: int = 4

    def __init__(self, message: str) -> None:
        super().__init__(_one_line(message))

    @property
    def message(self) -> str:
        return str(self)


def _one_line(text: str, limit: int = 300) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


# --- API errors -------------------------------------------------------------------------------


class ApiError(ComfyTuiError):
    """Any failure talking to the ComfyUI Deploy API."""

    status_code: int | None = None

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class AuthError(ApiError):
    """401: the key is missing, wrong, expired or revoked."""

    exit_code = 3


class ForbiddenError(ApiError):
    """403: suspended account, not enough GPU credits, access denied."""

    exit_code = 3


class NotFoundError(ApiError):
    exit_code = 5


class RateLimitedError(ApiError):
    """429 after the retries ran out; `retry_after` in seconds when the server said."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message, status_code=429)
        self.retry_after = retry_after


class ServerError(ApiError):
    """5xx (after retries where retrying was safe)."""


class NetworkError(ApiError):
    """Connection refused or dropped, DNS failure, timeout: the server could not be reached."""


class ConnectFailedError(NetworkError):
    """No connection could be opened: the request provably never left this machine."""


class AnswerTimeoutError(NetworkError):
    """The server took longer than `read_timeout` (`seconds`, per try) to answer `host`."""

    def __init__(self, message: str, *, host: str = "", seconds: float = 0.0) -> None:
        super().__init__(message)
        self.host = host
        self.seconds = seconds


class ProtocolError(ApiError):
    """The server answered something unusable: malformed, oversized or wrong-type body."""


class ValidationError(ApiError):
    """422 (or a 400 with field errors): the server rejected the request's fields."""

    exit_code = 2

    def __init__(self, message: str, *, fields: Sequence[str] = (), status_code: int = 422):
        super().__init__(message, status_code=status_code)
        self.fields = tuple(fields)


class NotSupportedError(ApiError):
    """This server (dialect) does not offer the operation, e.g. listing on a self-hosted server."""

    exit_code = 5


# --- local errors -----------------------------------------------------------------------------


class InputError(ComfyTuiError):
    """A value the user gave is wrong (unknown input name, wrong type, out of range, bad file)."""

    exit_code = 2


class AmbiguousIdError(InputError):
    """An id prefix or name that fits several items; `matches` holds them (services.resolve)."""

    def __init__(self, message: str, *, matches: Sequence[object] = ()) -> None:
        super().__init__(message)
        self.matches = tuple(matches)


class CacheError(ComfyTuiError):
    """The local cache could not be opened or written even after rebuilding it."""

    exit_code = 4


class ImageError(ComfyTuiError):
    """An output image could not be decoded: truncated, not an image, or too large."""


class ConfigError(ComfyTuiError):
    """The config file or a setting is unusable."""

    exit_code = 2


class RunFailedError(ComfyTuiError):
    """A run ended failed, cancelled or timed out (CLI exit 1)."""

    exit_code = 1


READONLY_HINT = "read-only mode (--readonly or readonly = true in config.toml)"


class ReadOnlyError(ComfyTuiError):
    """Read-only mode (`--readonly`, `readonly = true`) refused a call that changes something."""

    exit_code = 2
