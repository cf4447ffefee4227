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

from pathlib import Path

ROOT: Path = Path(__file__).resolve().parent.parent
DATA: Path = ROOT / "data"
BOOK: Path = ROOT / "book"
BUILD: Path = ROOT / "_build"
HTML: Path = BUILD / "html"
SEEDS: Path = ROOT.parent / "shared" / "seeds"
ANALYSIS: Path = ROOT / "analysis"
