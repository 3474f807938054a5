"""Output downloads: streamed, size-capped, content type checked, never carrying the API key."""

from __future__ import annotations

from dataclasses import dataclass

from comfytui.api.retry import RetryPolicy
from comfytui.api.transport import Transport


@dataclass(frozen=True, slots=True)
class Download:
    """A downloaded body with its content type and final URL."""

    content: bytes
    content_type: str
    url: str  # after redirects


async def fetch(
    transport: Transport,
    retry: RetryPolicy,
    url: str,
    *,
    max_bytes: int | None,
    allowed_types: tuple[str, ...],
) -> Download:
    """GET `url` (relative URLs resolve against the API origin) with retries for transients.

    `auth=False`: output files live on storage hosts/CDNs, and even a same-origin URL gets no
    key; redirects are followed without it. The content type is checked before the body is
    read, and the body is refused past `max_bytes` (default: the client's body cap).
    """
    target = url if "://" in url else transport.base.origin + "/" + url.lstrip("/")
    reply = await retry.call(
        lambda: transport.send(
            "GET",
            target,
            headers={"Accept": "*/*"},
            auth=False,
            max_bytes=max_bytes,
            allowed_types=allowed_types,
        ),
        idempotent=True,
    )
    return Download(reply.content, reply.content_type, reply.url)
