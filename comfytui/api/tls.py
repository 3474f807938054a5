"""httpx's default TLS context, with the trust store read on the first TLS connection.

`httpx.AsyncClient()` builds `ssl.create_default_context(cafile=certifi.where())` at once
(SSL_CERT_FILE / SSL_CERT_DIR when set): reading ~150 CA certificates takes ~40 ms, which a
command that only talks to a plain-http server (the emulator, a self-hosted server on the LAN)
never needs. `LazyTrustContext` is that same context (TLS client, certificates required, host
names checked, SSLKEYLOGFILE honoured) and loads the same CA file the moment a connection first
wraps a socket in TLS, so no handshake can happen without it.
"""

from __future__ import annotations

import os
import ssl
import sys
import threading
from typing import Any

_LOCK = threading.Lock()


class LazyTrustContext(ssl.SSLContext):
    """`ssl.create_default_context(cafile=...)` as httpx makes it, CA file read on first use."""

    def __new__(cls) -> LazyTrustContext:
        return super().__new__(cls, ssl.PROTOCOL_TLS_CLIENT)

    def __init__(self) -> None:
        super().__init__()
        self.verify_mode = ssl.CERT_REQUIRED
        self.check_hostname = True
        keylog = os.environ.get("SSLKEYLOGFILE")
        if keylog and not sys.flags.ignore_environment:
            self.keylog_filename = keylog
        self._trusted = False

    def load_trust(self) -> None:
        """Read the CA certificates httpx would (idempotent, thread-safe)."""
        if self._trusted:
            return
        with _LOCK:
            if self._trusted:
                return
            if os.environ.get("SSL_CERT_FILE"):
                self.load_verify_locations(cafile=os.environ["SSL_CERT_FILE"])
            elif os.environ.get("SSL_CERT_DIR"):
                self.load_verify_locations(capath=os.environ["SSL_CERT_DIR"])
            else:
                import certifi

                self.load_verify_locations(cafile=certifi.where())
            self._trusted = True

    def wrap_socket(self, *args: Any, **kwargs: Any) -> ssl.SSLSocket:
        self.load_trust()
        return super().wrap_socket(*args, **kwargs)

    def wrap_bio(self, *args: Any, **kwargs: Any) -> ssl.SSLObject:
        self.load_trust()
        return super().wrap_bio(*args, **kwargs)
