"""The director's report in a real browser: the figure and both languages render, and opening
it makes no request beyond the file itself (no CDN, no web font, no script).

The report is written by the command line from a series the synthetic bureau-export generator
describes, served on loopback, and opened in Debian's Chromium with every non-loopback request
recorded and aborted.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from analysis.cli import main as cli_main
from analysis.synthetic.bureau_exports import expected_series, generate_records, load_config
from browser_support import CHROMIUM_ARGS, SCREENSHOTS, is_loopback

pytestmark = pytest.mark.browser  # starts Chromium: not part of make test-fast


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def report_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("report")
    config = load_config()
    series = expected_series(generate_records(config), config)
    series.assign(month=series["month"].dt.strftime("%Y-%m-%d")).to_csv(
        folder / "series.csv", index=False
    )
    county, reform = config["reform"]["county"], config["reform"]["month"]
    argv = ["report", "--series", str(folder / "series.csv"), "--county", county]
    argv += ["--reform", reform, "--out", str(folder / "report.html"), "--lang", "both"]
    assert cli_main(argv) == 0
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/report.html"
    finally:
        server.shutdown()
        server.server_close()


def test_report_renders_figure_and_both_languages_offline(
    chromium_executable: Path, report_url: str, tmp_path: Path, playwright_driver
) -> None:
    requests: list[str] = []
    external: list[str] = []
    context = playwright_driver.chromium.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=str(chromium_executable),
        headless=True,
        args=CHROMIUM_ARGS,
        viewport={"width": 1100, "height": 900},
        service_workers="block",
    )

    def route(route_request) -> None:
        url = route_request.request.url
        requests.append(url)
        if is_loopback(url) and not url.startswith(("data:", "blob:")):
            route_request.continue_()
        else:
            external.append(url)
            route_request.abort("blockedbyclient")

    context.route("**/*", route)
    page = context.new_page()
    page.goto(report_url, wait_until="networkidle")
    figure = page.locator("#figure-series svg")
    box = figure.bounding_box()
    assert box is not None and box["width"] > 400 and box["height"] > 200
    assert figure.locator("path").count() > 50  # lines, markers and glyphs drawn
    zh = page.locator('p[lang="zh-CN"]').first
    en = page.locator('p[lang="en"]').first
    assert zh.is_visible() and en.is_visible()
    assert "改革" in zh.inner_text() and "reform" in en.inner_text()
    heading = page.locator("h2#support").inner_text()
    assert "不能说明" in heading and "cannot support" in heading
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "director_report.png"), full_page=True)
    context.close()
    assert external == []
    assert requests == [report_url]  # the document alone: nothing else was fetched
