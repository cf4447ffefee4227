"""Constants and small helpers shared by the browser fixtures and tests."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from analysis import paths

CHROMIUM = Path(os.environ.get("COMPENDIUM_CHROMIUM", "/usr/bin/chromium"))
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
LOCAL_SCHEMES = frozenset({"data", "blob", "about", "chrome", "chrome-error", "devtools"})
SCREENSHOTS = paths.ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--metrics-recording-only",
    # Belt and braces behind the request routing: no other host even resolves.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]


def is_loopback(url: str) -> bool:
    """Tell whether a request stays on this machine.

    Examples
    --------
    >>> is_loopback("http://127.0.0.1:8000/index.html"), is_loopback("data:image/png;base64,")
    (True, True)
    >>> is_loopback("https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js")
    False
    """
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    return (parts.hostname or "") in LOOPBACK_HOSTS


@dataclass
class Browser:
    """One Chromium context shared by the suite, with what it tried to fetch from outside."""

    context: object
    base_url: str
    external_requests: list[str] = field(default_factory=list)
