"""Sphinx extension: every page loads only its own site's assets and logs no errors.

Readers in mainland China, or offline, must see whole pages, so nothing a page loads may
come from another host (MathJax is served by ``sphinx-mathjax-offline``). Three defects of
the pinned toolchain (Jupyter Book 1.0.4, Sphinx 7.4, sphinx-thebe 0.3, pydata-sphinx-theme
0.17) are corrected here, at the point where Sphinx assembles each page's ``<head>``:

1. Sphinx 7.4 re-adds inline scripts registered after builder initialisation with
   ``filename=''`` instead of ``None``, which defeats its de-duplication. sphinx-thebe's
   inline ``const THEBE_JS_URL = ...`` then appears twice and every page raises
   ``SyntaxError: Identifier 'THEBE_JS_URL' has already been declared``. We drop exact
   duplicates.
2. With Thebe switched off (``launch_buttons.thebe: false``) sphinx-thebe still writes a
   CDN address (unpkg.com) into every page and loads its helper script. Nothing can use
   them, so they are removed; Binder launch buttons are unaffected.

(pydata-sphinx-theme's ``Got invalid theme mode`` console error on a first visit is fixed in
configuration instead: ``html_context: {default_mode: light}`` in ``_config.yml``.)

A small extension rather than template overrides: it touches only the asset lists, so
theme upgrades keep working, and each correction is a no-op once the upstream bug is fixed.
"""

from __future__ import annotations

from typing import Any

THEBE_ASSETS = ("sphinx-thebe.js", "sphinx-thebe.css")
THEBE_INLINE_MARKER = "THEBE_JS_URL"


def asset_key(asset: Any) -> tuple[str, int, tuple[tuple[str, str], ...]]:
    """Return what makes two Sphinx JS/CSS assets the same tag in the page.

    ``None`` and ``''`` filenames both mean an inline script, so they compare equal here.

    Examples
    --------
    >>> from sphinx.builders.html._assets import _JavaScript
    >>> asset_key(_JavaScript(None, body="x")) == asset_key(_JavaScript("", body="x"))
    True
    """
    filename = getattr(asset, "filename", asset) or ""
    attributes = getattr(asset, "attributes", {}) or {}
    priority = getattr(asset, "priority", 500)
    return (
        str(filename),
        int(priority),
        tuple(sorted((str(k), str(v)) for k, v in attributes.items())),
    )


def unique_assets(assets: list[Any]) -> list[Any]:
    """Drop repeated assets, keeping the first occurrence and the order.

    Examples
    --------
    >>> from sphinx.builders.html._assets import _JavaScript
    >>> scripts = [_JavaScript(None, body="const a = 1"), _JavaScript("x.js"),
    ...            _JavaScript("", body="const a = 1")]
    >>> [s.filename for s in unique_assets(scripts)]
    [None, 'x.js']
    """
    seen: set[tuple[str, int, tuple[tuple[str, str], ...]]] = set()
    kept = []
    for asset in assets:
        key = asset_key(asset)
        if key not in seen:
            seen.add(key)
            kept.append(asset)
    return kept


def is_thebe_asset(asset: Any) -> bool:
    """Tell whether an asset belongs to sphinx-thebe (its helper, stylesheet or CDN address).

    Examples
    --------
    >>> from sphinx.builders.html._assets import _JavaScript
    >>> is_thebe_asset(_JavaScript(None, body='const THEBE_JS_URL = "https://unpkg.com/x"'))
    True
    >>> is_thebe_asset(_JavaScript("_static/sphinx-thebe.js"))
    True
    >>> is_thebe_asset(_JavaScript("_static/copybutton.js"))
    False
    """
    filename = str(getattr(asset, "filename", asset) or "")
    body = str((getattr(asset, "attributes", {}) or {}).get("body", ""))
    return filename.rsplit("/", 1)[-1] in THEBE_ASSETS or THEBE_INLINE_MARKER in body


def thebe_enabled(config: Any) -> bool:
    """Tell whether the book asks for Thebe (live code) on its pages."""
    launch = (getattr(config, "html_theme_options", {}) or {}).get("launch_buttons", {}) or {}
    always = (getattr(config, "thebe_config", {}) or {}).get("always_load", False)
    return bool(launch.get("thebe")) or always in (True, "true", "True")


def _on_html_page_context(
    app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    drop_thebe = not thebe_enabled(app.config)
    for key in ("script_files", "css_files"):
        assets = context.get(key)
        if not isinstance(assets, list):
            continue
        kept = unique_assets(assets)
        if drop_thebe:
            kept = [asset for asset in kept if not is_thebe_asset(asset)]
        # In place: Sphinx restores these lists from its own copy after each page.
        assets[:] = kept


def setup(app: Any) -> dict[str, Any]:
    """Register the extension with Sphinx."""
    # Late, so that assets other extensions add for this page are included.
    app.connect("html-page-context", _on_html_page_context, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
