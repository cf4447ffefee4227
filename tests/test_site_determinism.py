"""Deterministic figure files, without a book build: same drawing, same bytes.

Two fresh Python processes with different hash seeds draw the same figure (Chinese text,
seeded noise) and save it as PNG, SVG and PDF through ``save_figure``; the files must be
byte-identical and free of dates and version strings. The built book's PNGs must carry no
metadata either, which also shows each chapter drew under ``use_book_style()``. (The double
build of real chapters is in ``test_site_rebuild.py``.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.plotting.figure_files import png_text_chunks

DRAW = r"""
import sys
from pathlib import Path
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from analysis.plotting.figure_files import save_figure
from analysis.plotting.style import use_book_style

use_book_style()
rng = np.random.default_rng(20230101)
fig, ax = plt.subplots()
ax.plot(np.arange(2017, 2025), 40 + rng.normal(size=8), label="合成数据 synthetic")
ax.scatter([2017, 2022], [43.3, 36.9], label="基层诊疗人次占比 reported")
ax.set_title("基层医疗卫生机构 visit share")
ax.legend()
out = Path(sys.argv[1])
for fmt in ("png", "svg", "pdf"):
    save_figure(fig, out / f"figure.{fmt}")
"""


def _draw(folder: Path, hash_seed: str) -> dict[str, bytes]:
    folder.mkdir()
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    env.pop("SOURCE_DATE_EPOCH", None)  # determinism must not depend on it
    subprocess.run(
        [sys.executable, "-c", DRAW, str(folder)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def two_drawings(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict]:
    root = tmp_path_factory.mktemp("drawings")
    return _draw(root / "first", "1"), _draw(root / "second", "2")


def test_same_drawing_gives_identical_bytes(two_drawings: tuple[dict, dict]) -> None:
    first, second = two_drawings
    assert sorted(first) == ["figure.pdf", "figure.png", "figure.svg"]
    differing = [name for name in first if first[name] != second[name]]
    assert not differing, f"figure files differ between two runs: {differing}"


def test_saved_figures_carry_no_dates_or_versions(two_drawings: tuple[dict, dict]) -> None:
    first, _ = two_drawings
    assert png_text_chunks(first["figure.png"]) == {}
    svg = first["figure.svg"].decode("utf-8")
    assert "<dc:date>" not in svg and "Matplotlib v" not in svg
    pdf = first["figure.pdf"]
    assert b"/CreationDate" not in pdf and b"/Producer" not in pdf


def test_svg_ids_use_the_fixed_salt(two_drawings: tuple[dict, dict]) -> None:
    # Element ids are hashed with svg.hashsalt; a random salt would differ per process.
    first, second = two_drawings
    assert first["figure.svg"].count(b'id="') > 3
    assert first["figure.svg"] == second["figure.svg"]


@pytest.mark.book  # reads the shared full build
def test_built_png_figures_carry_no_metadata(built_book: Path) -> None:
    images = (
        sorted((built_book / "_images").glob("*.png")) if (built_book / "_images").exists() else []
    )
    with_metadata = {
        image.name: png_text_chunks(image.read_bytes())
        for image in images
        if png_text_chunks(image.read_bytes())
    }
    assert not with_metadata, (
        f"built figures with PNG metadata (drawn without use_book_style()?): {with_metadata}"
    )
