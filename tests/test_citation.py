"""How to cite: CITATION.cff, the licences, the changelog and the bibliography are complete.

CITATION.cff must be valid Citation File Format 1.2.0 (its required keys, typed as the
schema types them) and agree with ``pyproject.toml`` and ``_config.yml``; the changelog's
newest release is that version. Every bibliography entry carries the fields its type needs.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib

import pytest
import yaml
from pybtex.database import parse_file

from analysis import paths
from analysis.build.release import project_version
from analysis.chapters import cite

CFF = paths.ROOT / "CITATION.cff"
BIB = paths.BOOK / "references.bib"
CHANGELOG = paths.BOOK / "appendix" / "changelog.md"
SPDX = {"MIT", "CC-BY-4.0"}


@pytest.fixture(scope="module")
def cff() -> dict:
    return yaml.safe_load(CFF.read_text(encoding="utf-8"))


def test_citation_file_has_the_keys_cff_1_2_0_requires(cff):
    assert cff["cff-version"] == "1.2.0"
    assert isinstance(cff["message"], str) and cff["message"].strip()
    assert isinstance(cff["title"], str) and cff["title"].strip()
    assert cff["authors"] and all(
        isinstance(a, dict) and ("name" in a or "family-names" in a) for a in cff["authors"]
    )
    assert isinstance(cff["date-released"], dt.date)  # YAML date, as the schema wants
    licences = [cff["license"]] if isinstance(cff["license"], str) else cff["license"]
    assert set(licences) == SPDX


def test_citation_version_is_the_package_version(cff):
    with (paths.ROOT / "pyproject.toml").open("rb") as handle:
        assert str(cff["version"]) == tomllib.load(handle)["project"]["version"]
    assert str(cff["version"]) == project_version()


def test_citation_points_at_the_configured_repository(cff):
    config = yaml.safe_load((paths.ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert cff["repository-code"] == config["repository"]["url"]


def test_licence_files_exist():
    assert "MIT License" in (paths.ROOT / "LICENSE").read_text(encoding="utf-8")
    data_licence = (paths.DATA / "LICENSE.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in data_licence and "remain their authors'" in data_licence


def test_cite_page_renders_from_the_citation_file(cff):
    rendered = cite.citation_markdown().data
    assert str(cff["version"]) in rendered and cff["title"] in rendered
    assert cite.bibtex(cite.citation()).startswith("@software{")


def _changelog_versions() -> list[tuple[int, ...]]:
    headings = re.findall(
        r"^## (\d+)\.(\d+)\.(\d+) — (\d{4}-\d{2}-\d{2})",
        CHANGELOG.read_text(encoding="utf-8"),
        re.MULTILINE,
    )
    return [tuple(int(part) for part in heading[:3]) for heading in headings]


def test_changelog_starts_with_this_version_and_goes_back_in_order(cff):
    versions = _changelog_versions()
    assert versions, "no release headings in the changelog"
    assert ".".join(map(str, versions[0])) == str(cff["version"])
    assert versions == sorted(versions, reverse=True) and len(set(versions)) == len(versions)


# ----------------------------------------------------------------------- bibliography

REQUIRED = {
    "article": ("author", "title", "journal", "year", "volume", "number", "pages"),
    "book": ("title", "publisher", "address", "year"),
    "techreport": ("author", "title", "institution", "number", "year"),
}
# Entries that cannot carry a field, with the reason (checked against the source named).
NO_ISSUE = {
    "ostrom1978police": "cited by Yang et al. (2023) as volume 7 without an issue",
    "vlaev2019": "BMC Public Health numbers articles, not issues (article 1059)",
}
PAGES_NOT_VERIFIED = {
    "cui2021medicalcommunity": "our copy of the paper prints no page range; none verified",
}
# The methods' sources the chapters rely on, as the journals print them.
REQUIRED_SOURCES = {
    "donald2007inference": ("89", "2", "221--233"),
    "bertrand2004trust": ("119", "1", "249--275"),
    "conley2011inference": ("93", "1", "113--125"),
    "mackinnon2017wild": ("32", "2", "233--254"),
    "mackinnon2018few": ("21", "2", "114--135"),
    "ferman2019inference": ("101", "3", "452--467"),
    "chernozhukov2021conformal": ("116", "536", "1849--1864"),
    "arkhangelsky2021sdid": ("111", "12", "4088--4118"),
    "rambachan2023honest": ("90", "5", "2555--2591"),
    "linden2015itsa": ("15", "2", "480--500"),
}


@pytest.fixture(scope="module")
def bibliography():
    return parse_file(str(BIB), bib_format="bibtex").entries


def test_every_entry_has_the_fields_its_type_needs(bibliography):
    problems = []
    for key, entry in bibliography.items():
        needed = REQUIRED.get(entry.type)
        if needed is None:
            problems.append(f"{key}: entry type @{entry.type} has no field rule here")
            continue
        fields = {name.lower() for name in entry.fields} | {r.lower() for r in entry.persons}
        if entry.type == "book" and not {"author", "editor"} & fields:
            problems.append(f"{key}: a book needs an author or an editor")
        for field in needed:
            exempt = (field == "number" and key in NO_ISSUE) or (
                field == "pages" and key in PAGES_NOT_VERIFIED
            )
            if field not in fields and not exempt:
                problems.append(f"{key}: no {field}")
    assert not problems, "\n".join(problems)


def test_pages_and_dois_are_well_formed(bibliography):
    for key, entry in bibliography.items():
        pages = entry.fields.get("pages")
        if pages:
            match = re.fullmatch(r"(\d+)(?:--(\d+))?", pages)
            assert match, f"{key}: pages {pages!r}"
            assert not match.group(2) or int(match.group(1)) <= int(match.group(2)), key
        doi = entry.fields.get("doi")
        if doi:
            assert re.fullmatch(r"10\.\d{4,9}/\S+", doi), f"{key}: doi {doi!r}"


def test_exemptions_name_entries_that_exist(bibliography):
    for key in (*NO_ISSUE, *PAGES_NOT_VERIFIED):
        assert key in bibliography, key


@pytest.mark.parametrize("key", REQUIRED_SOURCES)
def test_the_methods_sources_are_cited_as_printed(bibliography, key):
    entry = bibliography[key]
    volume, number, pages = REQUIRED_SOURCES[key]
    assert (entry.fields["volume"], entry.fields["number"], entry.fields["pages"]) == (
        volume,
        number,
        pages,
    )


def test_seed_paper_printed_citation_matches(bibliography, seeds):
    # Luo et al. (2025) print their own citation line: 中国卫生政策研究,2025,18(7):1-8.
    texts = "\n".join(path.read_text(encoding="utf-8") for path in sorted(seeds.glob("*.txt")))
    match = re.search(r"中国卫生政策研究,2025,(\d+)\((\d+)\):(\d+)-(\d+)", texts)
    assert match, "the seeds no longer print Luo et al.'s citation line"
    entry = bibliography["luo2025qianjiang"]
    assert entry.fields["volume"] == match.group(1) and entry.fields["number"] == match.group(2)
    assert entry.fields["pages"] == f"{match.group(3)}--{match.group(4)}"
