"""The client's TLS context is httpx's default one, its CA file read only on the first TLS hop."""

from __future__ import annotations

import ssl

import httpx

from comfytui.api import ComfyDeployClient
from comfytui.api.tls import LazyTrustContext


def test_same_context_as_httpx_default():
    ours, theirs = LazyTrustContext(), httpx.create_ssl_context()
    assert ours.verify_mode is ssl.CERT_REQUIRED and ours.check_hostname
    assert ours.protocol == theirs.protocol
    assert ours.options == theirs.options
    assert ours.verify_flags == theirs.verify_flags
    assert ours.minimum_version == theirs.minimum_version


def test_trust_is_read_on_the_first_tls_wrap_only():
    ctx = LazyTrustContext()
    assert ctx.cert_store_stats()["x509_ca"] == 0  # nothing read yet: building stays cheap
    ctx.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_hostname="example.com")
    loaded = ctx.cert_store_stats()["x509_ca"]
    assert loaded == httpx.create_ssl_context().cert_store_stats()["x509_ca"] > 0
    ctx.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_hostname="example.com")
    assert ctx.cert_store_stats()["x509_ca"] == loaded


def test_ssl_cert_file_is_honoured(monkeypatch):
    import certifi

    monkeypatch.setenv("SSL_CERT_FILE", certifi.where())
    ctx = LazyTrustContext()
    ctx.load_trust()
    assert ctx.cert_store_stats()["x509_ca"] > 0


async def test_client_uses_the_lazy_context():
    async with ComfyDeployClient("http://127.0.0.1:9/api", "k") as client:
        pool = client._transport._client._transport._pool
        assert isinstance(pool._ssl_context, LazyTrustContext)
