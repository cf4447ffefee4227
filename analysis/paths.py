"""Filesystem locations used across the compendium, resolved from the repository root.

Every module asks this one place for paths, so the book, the tests and the command line
agree on where data lives and where built artefacts go.

Examples
--------
>>> from analysis import paths
>>> paths.DATA.name
'data'
>>> paths.ROOT == paths.DATA.parent
True
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT: Path = Path(__file__).resolve().parent.parent
DATA: Path = ROOT / "data"
BOOK: Path = ROOT / "book"
BUILD: Path = ROOT / "_build"
HTML: Path = BUILD / "html"
# The four papers' full texts sit beside the repository (../shared/seeds), in CI too.
# COMPENDIUM_SEEDS points elsewhere, e.g. for a clone made in another folder.
SEEDS: Path = Path(os.environ.get("COMPENDIUM_SEEDS", ROOT.parent / "shared" / "seeds"))
