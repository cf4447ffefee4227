"""The crosswalk and the claims ledger read on a phone and on a desktop (issue 15, finding 9).

The referee saw both tables scroll sideways and show about one column per phone screen. Here
the tables' own HTML and CSS are laid out by Chromium in a bare page (no build needed) at a
phone width and a desktop width: nothing may be wider than the screen, and on the phone every
row must be a card whose fields show their labels.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from browser_support import CHROMIUM_ARGS

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 900}


def _tables() -> dict[str, str]:
    from analysis.chapters import claims_ledger, side_by_side

    return {
        "ledger": claims_ledger.table_ledger().data,
        "crosswalk": side_by_side.table_crosswalk().data,
        "comparison": side_by_side.table_comparison().data,
        "hypotheses": side_by_side.table_hypotheses().data,
    }


@pytest.fixture(scope="module")
def page(chromium_executable: Path, playwright_driver, tmp_path_factory):
    browser = playwright_driver.chromium.launch(
        executable_path=str(chromium_executable), headless=True, args=CHROMIUM_ARGS
    )
    page = browser.new_page()
    yield page
    browser.close()


LAYOUT = """() => {
  const rows = [...document.querySelectorAll('table.rtable tbody tr')];
  const cell = document.querySelector('table.rtable tbody td');
  return {
    scrollWidth: document.documentElement.scrollWidth,
    height: document.documentElement.scrollHeight,
    rowDisplay: getComputedStyle(rows[0]).display,
    headVisible: document.querySelector('table.rtable thead').getBoundingClientRect().height > 2,
    label: getComputedStyle(cell, '::before').content,
    widest: Math.max(...rows.map(r => r.getBoundingClientRect().right)),
  };
}"""


@pytest.mark.parametrize("name", ["ledger", "crosswalk", "comparison", "hypotheses"])
def test_tables_fit_a_phone_as_labelled_cards_and_a_desktop_as_tables(page, name):
    markup = _tables()[name]
    page.set_viewport_size(PHONE)
    page.set_content(f"<!doctype html><html><body style='margin:8px'>{markup}</body></html>")
    phone = page.evaluate(LAYOUT)
    assert phone["scrollWidth"] <= PHONE["width"], phone
    assert phone["widest"] <= PHONE["width"], phone
    assert phone["rowDisplay"] == "block" and not phone["headVisible"]
    assert phone["label"].strip('"') != "" and phone["label"] != "none"
    page.set_viewport_size(DESKTOP)
    desktop = page.evaluate(LAYOUT)
    assert desktop["scrollWidth"] <= DESKTOP["width"], desktop
    assert desktop["rowDisplay"] == "table-row" and desktop["headVisible"]
    assert desktop["label"] in ("none", "normal", "")
