"""The framework crosswalk: four lens applications, their mechanisms and the hypotheses they imply.

The crosswalk lives in three CSV files under ``data/frameworks/`` (lenses, mechanisms,
hypotheses) and is read through the dataset registry, so chapters, diagrams and tests all see
the same rows. This module reads them and turns them into shapes any chapter can use: the
mechanisms of one lens as Markdown, the data behind the framework diagrams and the concept map,
and a completeness check that the tests run. The tables of the side-by-side chapter are built
in :mod:`analysis.chapters.side_by_side`.

Cells that restate a paper and cells that are this book's own reading are kept apart: each
descriptive lens column ``X`` has a companion ``X_basis`` column ("paper" or "reading"), and
tables mark reading cells with :data:`SYNTHESIS_MARK`. The basis is per cell, not per row,
because one lens row mixes the paper's content (unit, drivers, actors, outcomes) with our
comparisons (financing, public, change). The row-level ``provenance`` is therefore "reading"
(the provenance class of the book's own readings): no row claims "reported" for a synthesis.
Only the Chinese quotes (``source_zh``, ``mechanism_zh``) are the papers' words verbatim, and
a test checks each against the paper's full text.

The files, column by column (``;`` separates items inside a cell):

``lenses.csv``
    ``lens_id``, ``paper_id``, ``lens_name_en``/``_zh``; ``theorists`` (sources the paper
    cites) and ``theorists_context`` (our note on where the theory comes from);
    ``unit_of_analysis``, ``drivers``, ``actors``, ``outcomes_claimed``, ``role_of_financing``,
    ``role_of_public``, ``how_change_happens``, each with ``<column>_basis``;
    ``drivers_zh``/``outcomes_claimed_zh`` (one verbatim phrase per English item, ``;``, same
    order, or empty) with ``_zh_basis`` ("paper" when filled); ``level_order``
    (order of mechanism levels, drives the diagram layout); ``source_zh`` and ``section`` (a
    verbatim sentence summarising the framework); ``provenance`` ("reading").
``mechanisms.csv``
    From the paper: ``mechanism_zh`` (its name), ``mechanism_en``, ``level``,
    ``groups_under``, ``description_en`` (gloss), ``source_zh`` (verbatim; a test checks it is
    a substring of the full text once whitespace is removed), ``section``. Our synthesis:
    ``observable_indicator``, ``series`` (visit_share / admission_share / fund_share, or
    none / other), ``testable_by`` ("its", "did", "its;did" or :data:`NOT_TESTABLE`),
    ``predicted_direction`` (+, -, 0, ambiguous; n/a exactly when no series is named),
    ``hypothesis_id``. ``description_basis`` ("paper") covers the paper-derived columns,
    ``indicator_basis`` ("reading") the synthesis; ``provenance`` is "reading".
``hypotheses.csv``
    Derived by the book (dataset provenance "reading", ``basis`` "derived by the book"; the
    hypotheses are derivations from the mechanisms, not assumptions): ``hypothesis_id`` (H1, H2, ...), ``lens_id``,
    ``mechanism_ids``, ``series``, ``predicted_direction``, ``effect_form`` (level change, slope
    change, pre-reform trend, staggered DiD, ...), ``statement_en``, ``analysis``,
    ``testable_by``, ``data_in_book`` and ``evidence_labels`` (chapter labels).

Plain pandas is enough here: the tables are a few dozen rows, and the graph structure of the
concept map is three layers deep, so a graph library would add a dependency without adding
anything a dictionary does not already do.

Examples
--------
>>> cw = load_crosswalk()
>>> sorted(cw.lenses["lens_id"])[:2]
['coproduction_g_county', 'embeddedness_qianjiang']
>>> split_cell("a; b;;c ")
['a', 'b', 'c']
>>> normalise_whitespace("医保 经办\\n服务")
'医保经办服务'
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import cache

import pandas as pd

from analysis import paths
from analysis.datasets import load_data

#: Per-cell basis: the paper's content (in the book's English), or the book's own reading.
BASIS_VALUES: tuple[str, ...] = ("paper", "reading")
READING = "reading"
HYPOTHESIS_BASIS = "derived by the book"
DIRECTIONS: tuple[str, ...] = ("+", "-", "0", "ambiguous", "n/a")
SERIES: tuple[str, ...] = ("visit_share", "admission_share", "fund_share")
NOT_TESTABLE = "not testable with this book's data"

#: Lens order used by every table and figure: the order of the book's chapters.
LENS_ORDER: tuple[str, ...] = (
    "coproduction_g_county",
    "holistic_multilevel",
    "holistic_anhui",
    "embeddedness_qianjiang",
)

#: Descriptive lens columns that carry a companion ``<column>_basis`` column.
DESCRIPTIVE_COLUMNS: tuple[str, ...] = (
    "theorists",
    "unit_of_analysis",
    "drivers",
    "actors",
    "outcomes_claimed",
    "role_of_financing",
    "role_of_public",
    "how_change_happens",
)

#: The paper's words for the fund share (Luo et al. 2025, §4.1.1), and their one English rendering.
#: The denominator is the revenue of *all* medical institutions in the county; every statement
#: of the definition in the crosswalk, the claims glosses and the book's prose uses this wording.
FUND_SHARE_ZH = "医保基金收入占县域内所有医疗机构收入的比例"
FUND_SHARE_EN = (
    "primary-care institutions' insurance-fund revenue as a share of the revenue of all medical "
    "institutions in the county"
)

SERIES_LABELS: dict[str, str] = {
    "visit_share": "Primary-care share of outpatient visits",
    "admission_share": "Primary-care share of admissions",
    "fund_share": "Primary-care fund share (of all county institutions' revenue)",
}

#: Analyses in this book, keyed as ``testable_by`` spells them.
ANALYSES: dict[str, str] = {
    "its": "Interrupted time series\n(Qianjiang, monthly)",
    "did": "Difference-in-differences\n(comparison districts;\nstaggered county panel)",
}

SYNTHESIS_MARK = "†"


@dataclass(frozen=True, eq=False)
class Crosswalk:
    """The three crosswalk tables, each with one row per entity.

    Attributes
    ----------
    lenses
        One row per lens application (``lens_id`` unique).
    mechanisms
        One row per mechanism, named as its paper names it.
    hypotheses
        Hypotheses (``H1``, ``H2``, ...) derived from the mechanisms.
    """

    lenses: pd.DataFrame
    mechanisms: pd.DataFrame
    hypotheses: pd.DataFrame

    def lens(self, lens_id: str) -> pd.Series:
        """Return the row of one lens; raise ``KeyError`` for an unknown id."""
        rows = self.lenses.loc[self.lenses["lens_id"] == lens_id]
        if rows.empty:
            raise KeyError(f"unknown lens {lens_id!r}; known: {', '.join(self.lenses['lens_id'])}")
        return rows.iloc[0]

    def mechanisms_of(self, lens_id: str) -> pd.DataFrame:
        """Mechanisms of one lens, in file order."""
        self.lens(lens_id)
        return self.mechanisms.loc[self.mechanisms["lens_id"] == lens_id].reset_index(drop=True)


def split_cell(cell: object, sep: str = ";") -> list[str]:
    """Split a ``;``-separated cell into stripped, non-empty items."""
    if cell is None or (isinstance(cell, float) and pd.isna(cell)):
        return []
    return [item.strip() for item in str(cell).split(sep) if item.strip()]


def normalise_whitespace(text: str) -> str:
    """Remove all whitespace, as PDF extraction breaks Chinese lines at arbitrary points."""
    return re.sub(r"\s+", "", text)


def load_crosswalk(
    lenses: pd.DataFrame | None = None,
    mechanisms: pd.DataFrame | None = None,
    hypotheses: pd.DataFrame | None = None,
) -> Crosswalk:
    """Assemble the crosswalk, reading any table not given through the dataset registry.

    Parameters
    ----------
    lenses, mechanisms, hypotheses
        Frames as ``load_data("lenses").frame`` etc. return them; chapters pass them in so the
        book's figure index can see which datasets each chapter reads.

    Returns
    -------
    Crosswalk
        Lenses sorted in :data:`LENS_ORDER`; other tables in file order.
    """
    lenses = (load_data("lenses").frame if lenses is None else lenses).copy()
    order = {lens_id: i for i, lens_id in enumerate(LENS_ORDER)}
    lenses = lenses.sort_values("lens_id", key=lambda s: s.map(order).fillna(len(order)))
    return Crosswalk(
        lenses=lenses.reset_index(drop=True),
        mechanisms=(load_data("mechanisms").frame if mechanisms is None else mechanisms).copy(),
        hypotheses=(load_data("hypotheses").frame if hypotheses is None else hypotheses).copy(),
    )


@cache
def seed_text(paper_id: str) -> str:
    """Full text of a paper's seed file, whitespace removed (see :func:`normalise_whitespace`).

    Parameters
    ----------
    paper_id
        An id from the ``papers`` dataset, e.g. ``"luo2025"``.
    """
    papers = load_data("papers").frame.set_index("paper_id")
    if paper_id not in papers.index:
        raise KeyError(f"unknown paper {paper_id!r}")
    path = paths.SEEDS / papers.at[paper_id, "seed_file"]
    return normalise_whitespace(path.read_text(encoding="utf-8"))


@cache
def short_citation(paper_id: str) -> str:
    """Author-year name of a paper as a reader sees it, e.g. "Luo et al. 2025".

    The surnames come from the romanised authors in ``papers.csv`` (``(LUO Wen, ...)``): one
    or two authors are named, three or more are "et al.".

    Examples
    --------
    >>> short_citation("gong2024"), short_citation("luo2025")
    ('Gong & Wang 2024', 'Luo et al. 2025')
    """
    papers = load_data("papers").frame.set_index("paper_id")
    if paper_id not in papers.index:
        raise KeyError(f"unknown paper {paper_id!r}")
    authors, year = papers.at[paper_id, "authors"], papers.at[paper_id, "year"]
    romanised = authors[authors.rindex("(") + 1 : authors.rindex(")")]
    surnames = [name.split()[0].title() for name in romanised.split(",")]
    names = " & ".join(surnames) if len(surnames) <= 2 else f"{surnames[0]} et al."
    return f"{names} {year}"


def quote_in_seed(paper_id: str, quote: str) -> bool:
    """Whether ``quote`` occurs verbatim (up to whitespace) in the paper's text."""
    needle = normalise_whitespace(quote)
    return bool(needle) and needle in seed_text(paper_id)


# --------------------------------------------------------------------------- diagram data


@dataclass(frozen=True)
class Node:
    """One box of a diagram.

    Attributes
    ----------
    node_id
        Unique within a diagram, ``"<kind>:<key>"``.
    kind
        "driver", "mechanism", "outcome", "indicator" or "analysis".
    label
        Text shown in the box (may contain Chinese).
    group
        Column or band the node belongs to (a level, a lens, ...).
    """

    node_id: str
    kind: str
    label: str
    group: str


@dataclass(frozen=True)
class Diagram:
    """Nodes arranged in ordered layers, plus directed edges between node ids."""

    title: str
    layers: tuple[tuple[str, tuple[Node, ...]], ...]
    edges: tuple[tuple[str, str], ...]

    @property
    def nodes(self) -> tuple[Node, ...]:
        return tuple(node for _, layer in self.layers for node in layer)


def framework_diagram_data(cw: Crosswalk, lens_id: str) -> Diagram:
    """A lens's analytic framework as layers: drivers, each mechanism level, outcomes.

    The level order comes from the lens's ``level_order`` column, so the diagram follows the
    paper's own sequence (e.g. external embedding before internal embedding).
    """
    lens = cw.lens(lens_id)
    mech = cw.mechanisms_of(lens_id)
    layers: list[tuple[str, tuple[Node, ...]]] = []
    drivers = tuple(
        Node(f"driver:{i}", "driver", text, "Drivers")
        for i, text in enumerate(split_cell(lens["drivers"]))
    )
    layers.append(("Drivers", drivers))
    levels = split_cell(lens["level_order"])
    unknown = set(mech["level"]) - set(levels)
    if unknown:
        raise ValueError(f"{lens_id}: mechanism levels {sorted(unknown)} missing from level_order")
    for level in levels:
        rows = mech.loc[mech["level"] == level]
        layers.append(
            (
                level,
                tuple(
                    Node(
                        f"mechanism:{r.mechanism_id}",
                        "mechanism",
                        f"{r.mechanism_zh}\n{r.mechanism_en}",
                        level,
                    )
                    for r in rows.itertuples()
                ),
            )
        )
    outcomes = tuple(
        Node(f"outcome:{i}", "outcome", text, "Outcomes claimed")
        for i, text in enumerate(split_cell(lens["outcomes_claimed"]))
    )
    layers.append(("Outcomes claimed", outcomes))
    edges = []
    for (_, upper), (_, lower) in itertools.pairwise(layers):
        if upper and lower:
            edges.append((upper[0].node_id, lower[0].node_id))
    title = f"{lens['lens_name_zh']} / {lens['lens_name_en']} ({lens['paper_id']})"
    return Diagram(title=title, layers=tuple(layers), edges=tuple(edges))


OTHER_INDICATOR = "other"


def concept_map_data(cw: Crosswalk) -> Diagram:
    """Mechanisms → observable indicators (the book's series, or other indicators) → analyses.

    Every mechanism is one node. A mechanism links to each series in its ``series`` cell, or
    to an "other indicators" node when it names none of the book's series; series link to the
    analyses that their mechanisms' ``testable_by`` names, and "other indicators" to a
    "not testable here" node.
    """
    mech_nodes, edges = [], set()
    for r in cw.mechanisms.itertuples():
        hyp = f" [{r.hypothesis_id}]" if r.hypothesis_id else ""
        mech_nodes.append(
            Node(
                f"mechanism:{r.mechanism_id}",
                "mechanism",
                f"{r.mechanism_zh} {r.mechanism_en}{hyp}",
                r.lens_id,
            )
        )
        series = [s for s in split_cell(r.series) if s in SERIES] or [OTHER_INDICATOR]
        tests = [t for t in split_cell(r.testable_by) if t in ANALYSES] or ["none"]
        for s in series:
            edges.add((f"mechanism:{r.mechanism_id}", f"indicator:{s}"))
            for t in tests if s != OTHER_INDICATOR else ["none"]:
                edges.add((f"indicator:{s}", f"analysis:{t}"))
    indicator_labels = {
        **SERIES_LABELS,
        OTHER_INDICATOR: "Other indicators\n(not in this book's data)",
    }
    used_ind = [
        k for k in (*SERIES, OTHER_INDICATOR) if any(e[1] == f"indicator:{k}" for e in edges)
    ]
    indicators = tuple(
        Node(f"indicator:{k}", "indicator", indicator_labels[k], "indicator") for k in used_ind
    )
    analysis_labels = dict(ANALYSES)
    analysis_labels["none"] = "Not testable with\nthis book's data"
    used_an = [k for k in (*ANALYSES, "none") if any(e[1] == f"analysis:{k}" for e in edges)]
    analyses = tuple(
        Node(f"analysis:{k}", "analysis", analysis_labels[k], "analysis") for k in used_an
    )
    order = {lens_id: i for i, lens_id in enumerate(LENS_ORDER)}
    mech_nodes.sort(key=lambda n: order.get(n.group, len(order)))
    return Diagram(
        title="Mechanisms → observable indicators → analyses",
        layers=(
            ("Mechanisms", tuple(mech_nodes)),
            ("Observable indicators", indicators),
            ("Analyses in this book", analyses),
        ),
        edges=tuple(sorted(edges)),
    )


# --------------------------------------------------------------------------- completeness


def crosswalk_problems(cw: Crosswalk) -> list[str]:
    """Everything that makes the crosswalk incomplete or inconsistent; empty when sound.

    Checks: unique ids; each lens has theorists, unit, drivers, actors, outcomes, at least one
    mechanism and at least one mechanism with an observable indicator; basis values valid;
    every ``source_zh`` is verbatim in its paper; mechanism levels are in the lens's
    ``level_order``; directions valid, and "n/a" exactly when no series is named; every
    hypothesis id a mechanism cites exists, and every hypothesis's mechanisms exist.
    """
    problems: list[str] = []
    lenses, mech, hyp = cw.lenses, cw.mechanisms, cw.hypotheses
    for frame, key in ((lenses, "lens_id"), (mech, "mechanism_id"), (hyp, "hypothesis_id")):
        dup = frame[key][frame[key].duplicated()].tolist()
        if dup:
            problems.append(f"duplicate {key}: {dup}")
    for _, lens in lenses.iterrows():
        lid = lens["lens_id"]
        for col in (
            "theorists",
            "unit_of_analysis",
            "drivers",
            "actors",
            "outcomes_claimed",
            "source_zh",
            "level_order",
        ):
            if not str(lens[col]).strip():
                problems.append(f"{lid}: empty {col}")
        for col in DESCRIPTIVE_COLUMNS:
            if lens.get(f"{col}_basis") not in BASIS_VALUES:
                problems.append(f"{lid}: {col}_basis must be one of {BASIS_VALUES}")
        if not quote_in_seed(lens["paper_id"], lens["source_zh"]):
            problems.append(f"{lid}: source_zh not found in {lens['paper_id']}")
        own = mech.loc[mech["lens_id"] == lid]
        if own.empty:
            problems.append(f"{lid}: no mechanisms")
        elif not own["observable_indicator"].str.strip().astype(bool).any():
            problems.append(f"{lid}: no observable indicator")
        missing = set(own["level"]) - set(split_cell(lens["level_order"]))
        if missing:
            problems.append(f"{lid}: levels {sorted(missing)} not in level_order")
    paper_of = dict(zip(lenses["lens_id"], lenses["paper_id"]))
    known_h = set(hyp["hypothesis_id"])
    for r in mech.itertuples():
        if r.lens_id not in paper_of:
            problems.append(f"{r.mechanism_id}: unknown lens {r.lens_id}")
            continue
        if not quote_in_seed(paper_of[r.lens_id], r.source_zh):
            problems.append(f"{r.mechanism_id}: source_zh not found in {paper_of[r.lens_id]}")
        if not r.observable_indicator.strip():
            problems.append(f"{r.mechanism_id}: empty observable_indicator")
        if r.predicted_direction not in DIRECTIONS:
            problems.append(f"{r.mechanism_id}: bad predicted_direction {r.predicted_direction!r}")
        names_series = any(s in SERIES for s in split_cell(r.series))
        if names_series == (r.predicted_direction == "n/a"):
            problems.append(f"{r.mechanism_id}: predicted_direction 'n/a' must go with no series")
        tests = split_cell(r.testable_by)
        if not (tests == [NOT_TESTABLE] or (tests and all(t in ANALYSES for t in tests))):
            problems.append(f"{r.mechanism_id}: bad testable_by {r.testable_by!r}")
        for h in split_cell(r.hypothesis_id):
            if h not in known_h:
                problems.append(f"{r.mechanism_id}: unknown hypothesis {h}")
    problems.extend(provenance_problems(cw))
    known_m = set(mech["mechanism_id"])
    for r in hyp.itertuples():
        for m in split_cell(r.mechanism_ids):
            if m not in known_m:
                problems.append(f"{r.hypothesis_id}: unknown mechanism {m}")
        if r.predicted_direction not in DIRECTIONS[:4]:
            problems.append(f"{r.hypothesis_id}: bad predicted_direction")
    return problems


def provenance_problems(cw: Crosswalk) -> list[str]:
    """Rows or cells whose provenance label claims more than they are; empty when honest.

    Every lens and mechanism row is the book's reading (row ``provenance`` "reading"); a
    mechanism's name, quote and gloss restate the paper (``description_basis`` "paper") while
    its indicator, series, test and direction are the book's (``indicator_basis`` "reading");
    the hypotheses are derived by the book (``basis`` :data:`HYPOTHESIS_BASIS`).
    """
    problems: list[str] = []
    for name, frame, key in (
        ("lenses", cw.lenses, "lens_id"),
        ("mechanisms", cw.mechanisms, "mechanism_id"),
    ):
        for ident, value in zip(frame[key], frame.get("provenance", pd.Series(dtype=str))):
            if value != READING:
                problems.append(f"{name} {ident}: provenance {value!r} should be {READING!r}")
    expected = {"description_basis": "paper", "indicator_basis": READING}
    for column, value in expected.items():
        if column not in cw.mechanisms:
            problems.append(f"mechanisms: column {column} missing")
            continue
        wrong = cw.mechanisms.loc[cw.mechanisms[column] != value, "mechanism_id"].tolist()
        if wrong:
            problems.append(f"mechanisms {wrong}: {column} should be {value!r}")
    wrong = cw.hypotheses.loc[cw.hypotheses["basis"] != HYPOTHESIS_BASIS, "hypothesis_id"]
    if len(wrong):
        problems.append(f"hypotheses {wrong.tolist()}: basis should be {HYPOTHESIS_BASIS!r}")
    return problems


def mechanism_markdown(cw: Crosswalk, lens_id: str) -> str:
    """The mechanisms of one lens as Markdown: name, level, the paper's words, our gloss,
    indicator and hypothesis. Used by the lens chapters (rendered as a cell output).

    Examples
    --------
    >>> text = mechanism_markdown(load_crosswalk(), "embeddedness_qianjiang")
    >>> text.count("\\n> ") == len(load_crosswalk().mechanisms_of("embeddedness_qianjiang"))
    True
    """
    blocks = []
    for r in cw.mechanisms_of(lens_id).itertuples():
        hyp = ", ".join(split_cell(r.hypothesis_id)) or "none"
        blocks.append(
            f"**{r.mechanism_zh}** — *{r.mechanism_en}* ({r.level}; §{r.section})\n"
            f"> {r.source_zh}\n\n"
            f"{r.description_en}\n\n"
            f"Observable indicator {SYNTHESIS_MARK}: {r.observable_indicator}. "
            f"Testable here by {SYNTHESIS_MARK}: {analyses_in_words(r.testable_by)}. "
            f"Hypothesis: {hyp}.\n"
        )
    return "\n".join(blocks)


#: Reader-facing names of the analyses, as ``testable_by`` spells them.
ANALYSIS_NAMES: dict[str, str] = {
    "its": "interrupted time series",
    "did": "difference-in-differences",
}


def analyses_in_words(cell: str) -> str:
    """A ``testable_by`` cell in words, never as its codes.

    Examples
    --------
    >>> analyses_in_words("its;did")
    'interrupted time series and difference-in-differences'
    >>> analyses_in_words(NOT_TESTABLE)
    "nothing: not testable with this book's data"
    """
    names = [ANALYSIS_NAMES[t] for t in split_cell(cell) if t in ANALYSIS_NAMES]
    return " and ".join(names) if names else f"nothing: {NOT_TESTABLE}"
