"""Fixtures for the real-browser tests: the built site on loopback, and Chromium cut off from
everything else.

Chromium is Debian's (``/usr/bin/chromium``), driven by Playwright through
``executable_path``: browser downloads are impossible here. When it is missing the fixture
runs ``.ci/system-deps.sh`` (which apt-installs it) once, and fails with the reason if that
cannot work, rather than skipping: a skipped browser suite would hide a broken site.

Every request whose host is not loopback is recorded and aborted, and Chromium's resolver
maps every other host to nothing, so the suite can neither leak to nor depend on the network.
"""

from __future__ import annotations

import functools
import http.server
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from analysis import paths
from browser_support import CHROMIUM, CHROMIUM_ARGS, Browser, is_loopback


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="session")
def chromium_executable() -> Path:
    """Debian's Chromium, installed through ``.ci/system-deps.sh`` when missing."""
    if not CHROMIUM.exists():
        result = subprocess.run(
            ["bash", str(paths.ROOT / ".ci" / "system-deps.sh")], capture_output=True, text=True
        )
        if not CHROMIUM.exists():
            pytest.fail(
                f"{CHROMIUM} is missing and .ci/system-deps.sh could not install it "
                f"(exit {result.returncode}): {result.stderr.strip()[-500:]}"
            )
    return CHROMIUM


@pytest.fixture(scope="session")
def site_url(built_book: Path) -> Iterator[str]:
    """Serve the built site on a random loopback port for the whole session."""
    handler = functools.partial(_QuietHandler, directory=str(built_book))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[object]:
    """One Playwright driver per test process: a second sync driver cannot start while one runs."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(
    chromium_executable: Path,
    site_url: str,
    tmp_path_factory: pytest.TempPathFactory,
    playwright_driver,
) -> Iterator[Browser]:
    """A fresh-profile Chromium context in which only loopback requests go through."""
    profile = tmp_path_factory.mktemp("chromium-profile")
    context = playwright_driver.chromium.launch_persistent_context(
        str(profile),
        executable_path=str(chromium_executable),
        headless=True,
        args=CHROMIUM_ARGS,
        viewport={"width": 1280, "height": 900},
        locale="en-US",
        service_workers="block",
    )
    context.set_default_timeout(20_000)
    state = Browser(context=context, base_url=site_url)

    def route(route_request) -> None:
        url = route_request.request.url
        if is_loopback(url):
            route_request.continue_()
        else:
            request = route_request.request
            state.external_requests.append(
                f"{request.resource_type} {url} (from {_origin(request)})"
            )
            route_request.abort("blockedbyclient")

    def route_socket(socket_route) -> None:
        if is_loopback(socket_route.url):
            socket_route.connect_to_server()
        else:
            state.external_requests.append(f"websocket {socket_route.url}")
            socket_route.close()

    context.route("**/*", route)
    context.route_web_socket(lambda url: True, route_socket)
    try:
        yield state
    finally:
        context.close()


def _origin(request) -> str:
    """The page that asked for a request, for the failure message."""
    try:
        return request.frame.url
    except Exception:  # service-worker requests have no frame
        return "?"
