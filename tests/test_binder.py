"""Binder opens the chapters as notebooks: the shipped JupyterLab setting names jupytext's viewer.

Binder (repo2docker) clones the repository into ``$HOME`` and installs ``environment.yml``, so
``.jupyter/lab/user-settings`` is read as the user's JupyterLab settings. The viewer's name is
checked against the JupyterLab extension that the installed jupytext ships, not typed twice.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
import yaml

from analysis import paths
from site_helpers import is_notebook_page, source_path, toc_docnames

SETTINGS = (
    paths.ROOT
    / ".jupyter/lab/user-settings/@jupyterlab/docmanager-extension/plugin.jupyterlab-settings"
)
LABEXTENSION = Path(sys.prefix) / "share/jupyter/labextensions/jupyterlab-jupytext"
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)


def read_settings(path: Path) -> dict:
    """JupyterLab settings are JSON with ``//`` comments."""
    text = "\n".join(
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if not line.lstrip().startswith("//")
    )
    return json.loads(text)


def jupytext_factory() -> str:
    """The document-factory name in the installed jupytext JupyterLab extension."""
    names = set()
    for script in (LABEXTENSION / "static").glob("*.js"):
        names.update(re.findall(r'\.FACTORY\s*=\s*"([^"]+)"', script.read_text(encoding="utf-8")))
    assert len(names) == 1, f"expected one FACTORY in {LABEXTENSION}, found {sorted(names)}"
    return names.pop()


def test_settings_open_markdown_with_the_installed_jupytext_viewer():
    assert LABEXTENSION.is_dir(), (
        f"jupytext's JupyterLab extension is not installed: {LABEXTENSION}"
    )
    viewers = read_settings(SETTINGS)["defaultViewers"]
    factory = jupytext_factory()
    assert viewers["markdown"] == factory
    assert viewers["myst"] == factory


def test_the_settings_reader_rejects_a_wrong_viewer(tmp_path):
    wrong = tmp_path / "plugin.jupyterlab-settings"
    wrong.write_text('{\n  // c\n  "defaultViewers": {"markdown": "Notebook"}\n}\n')
    assert read_settings(wrong)["defaultViewers"]["markdown"] != jupytext_factory()


def test_binder_installs_jupytext_from_the_root_environment():
    assert not (paths.ROOT / ".binder").exists(), (
        ".binder/ would make Binder ignore environment.yml"
    )
    assert not (paths.ROOT / "binder").exists(), "binder/ would make Binder ignore environment.yml"
    environment = yaml.safe_load((paths.ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip = next(item["pip"] for item in environment["dependencies"] if isinstance(item, dict))
    assert any(re.match(r"jupytext(==|>=|$)", requirement) for requirement in pip)


def notebook_chapters() -> list[str]:
    """Every toc page executed as a notebook (a page still missing is the book build's error)."""
    found = []
    for docname in toc_docnames():
        try:
            if is_notebook_page(docname):
                found.append(docname)
        except FileNotFoundError:
            continue
    return found


@pytest.mark.parametrize("docname", notebook_chapters())
def test_every_chapter_carries_jupytext_front_matter(docname):
    text = source_path(docname).read_text(encoding="utf-8")
    front = yaml.safe_load(_FRONT_MATTER.match(text).group(1))
    representation = front["jupytext"]["text_representation"]
    assert representation["extension"] == ".md"
    assert representation["format_name"] == "myst"
    assert front["kernelspec"]["name"] == "python3"
