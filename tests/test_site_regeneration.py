"""The regeneration guarantee: every figure on the site is drawn by a code cell at build time.

- No image file is (or can be) committed under ``book/``.
- Every file in the built ``_images/`` folder is byte-identical to an image output of a code
  cell in that build's executed notebooks (``_build/jupyter_execute``), and every image in a
  page's content comes from ``_images/`` or is inline data: nothing static slips in.

The rebuild half of the guarantee (change a reported value in ``data/``, rebuild, see the
figure and the glued number change) lives in ``test_site_rebuild.py``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
from pathlib import Path

import pytest

from analysis import paths
from site_helpers import IMAGE_SUFFIX, article, read_soup, toc_docnames

IMAGE_MIMES = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml")


def book_files(root: Path = paths.ROOT) -> list[str]:
    """Files under ``book/`` that are committed or could be (tracked, or untracked and not
    ignored); outside a git checkout, every file except build output."""
    inside_git = (
        subprocess.run(
            ["git", "rev-parse", "--is-inside-work-tree"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
        == "true"
    )
    if inside_git:
        listed = (
            subprocess.run(
                [
                    "git",
                    "ls-files",
                    "--cached",
                    "--others",
                    "--exclude-standard",
                    "-z",
                    "--",
                    "book",
                ],
                cwd=root,
                capture_output=True,
                check=True,
            )
            .stdout.decode()
            .split("\0")
        )
        return sorted(name for name in listed if name)
    return sorted(
        path.relative_to(root).as_posix()
        for path in (root / "book").rglob("*")
        if path.is_file() and "_build" not in path.parts
    )


def test_no_image_file_is_committed_under_book() -> None:
    files = book_files()
    assert files, "book/ lists no files: the check would be vacuous"
    images = [name for name in files if IMAGE_SUFFIX.search(name)]
    assert not images, f"image files under book/ (figures must be drawn at build time): {images}"


def _output_image_bytes(output: dict) -> list[bytes]:
    found = []
    for mime in IMAGE_MIMES:
        value = output.get("data", {}).get(mime)
        if value is None:
            continue
        text = "".join(value) if isinstance(value, list) else value
        found.append(text.encode("utf-8") if mime == "image/svg+xml" else base64.b64decode(text))
    return found


def cell_output_hashes(executed: Path) -> set[str]:
    """SHA-256 of every image a code cell output in the executed notebooks and glue stores."""
    hashes: set[str] = set()
    for notebook_path in executed.rglob("*.ipynb"):
        notebook = json.loads(notebook_path.read_text(encoding="utf-8"))
        for cell in notebook.get("cells", []):
            for output in cell.get("outputs", []):
                hashes |= {hashlib.sha256(data).hexdigest() for data in _output_image_bytes(output)}
    for glue_path in executed.rglob("*.glue.json"):
        for output in json.loads(glue_path.read_text(encoding="utf-8")).values():
            hashes |= {hashlib.sha256(data).hexdigest() for data in _output_image_bytes(output)}
    return hashes


def stray_images(html_root: Path, executed: Path) -> list[str]:
    """Files in ``_images/`` that no code cell output in ``executed`` produced."""
    produced = cell_output_hashes(executed)
    return sorted(
        path.name
        for path in (html_root / "_images").glob("*")
        if path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() not in produced
    )


@pytest.mark.book  # reads the shared full build
def test_every_built_image_is_a_code_cell_output(built_book: Path) -> None:
    images_dir = built_book / "_images"
    if not images_dir.exists():
        return  # no figures yet: nothing can be stray
    stray = stray_images(built_book, paths.BUILD / "jupyter_execute")
    assert not stray, f"images in _images/ that no code cell produced: {stray}"


def test_stray_image_is_detected(tmp_path: Path) -> None:
    (tmp_path / "html" / "_images").mkdir(parents=True)
    (tmp_path / "exec").mkdir()
    (tmp_path / "html" / "_images" / "photo.png").write_bytes(b"\x89PNG not from a cell")
    assert stray_images(tmp_path / "html", tmp_path / "exec") == ["photo.png"]


@pytest.mark.book  # reads the shared full build
def test_page_images_come_from_the_build(built_book: Path) -> None:
    problems = []
    for name in toc_docnames():
        content = article(read_soup(built_book / f"{name}.html"))
        for image in content.find_all("img"):
            src = image.get("src", "")
            if src.startswith("data:image/") or "/_images/" in f"/{src}":
                continue
            if "_static/" in src and image.find_parent(class_="dropdown-launch-buttons"):
                continue
            problems.append(f"{name}: <img src={src}> is not a build output")
    assert not problems, "\n".join(problems)
