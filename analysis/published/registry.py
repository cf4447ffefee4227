"""Published results the engines reproduce: one registry of reference checks.

Each check is one number a publication or a reference package printed: where it was printed,
what it is, the value as printed, a tolerance with its reason, and the engine call that
computes ours (:mod:`analysis.published.fits`). The published values are typed once, with
their citations, in ``data/published/`` (``published_results.csv``, ``published_sources.csv``)
and, for HonestDiD, in the reference files of ``data/published/honestdid/``; every one of these
files is declared in :mod:`analysis.registry` and checksummed in ``data/datapackage.json``.
Nothing here is copied from our own output. :func:`run_checks` calls the engines, so a table made from it
cannot drift from the code.

A check passes when the published value lies in the acceptance band around ours: half a unit
in the last printed digit by default, or a stated allowance (an optimiser's or a simulation's
known difference). Standard errors that R draws at random (synthetic DiD placebo SEs) are
compared with the spread of R's own estimator, so a known difference is shown as such.

Run ``python -m analysis.published.registry`` to print every check; it exits 1 if one fails.

Examples
--------
>>> half_unit("0.0120"), half_unit("-12.34567"), half_unit("1")
(5e-05, 5e-06, 0.5)
>>> checks = load_checks()
>>> len({c.check_id for c in checks}) == len(checks) > 100
True
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import dataclass
from functools import cache
from typing import Literal

import numpy as np
import pandas as pd

from analysis.published.fits import FITS, Values, m_key, reference_file
from analysis.registry import declaration

RESULTS = declaration("published_results").file
SOURCES = declaration("published_sources").file

Status = Literal["agrees", "known difference", "fails"]

PLACEBO_DRAWS = 200  # R synthdid's default number of placebo replications
PLACEBO_REPLICATIONS = 4000
FLCI_MONTE_CARLO = 0.0015  # R simulates the folded-normal quantile (10^6 draws, 0.12 % off)


@dataclass(frozen=True)
class Check:
    """One published number and how ours is computed and compared."""

    check_id: str
    area: str
    source_id: str
    quantity: str
    printed: str
    published: float
    fit: str
    target: str
    tolerance: str
    tolerance_why: str


@dataclass(frozen=True)
class Outcome:
    """A check's result: ours, the acceptance band for the published value, the status."""

    check: Check
    ours: float
    low: float
    high: float
    status: Status
    seconds: float

    @property
    def allowance(self) -> float:
        """Half-width of the acceptance band."""
        return (self.high - self.low) / 2


def half_unit(printed: str) -> float:
    """Half a unit in the last printed digit."""
    text = printed.strip().lstrip("+-")
    decimals = len(text.split(".", 1)[1]) if "." in text else 0
    return 0.5 * 10.0**-decimals


def _published(printed: str, derived: str) -> float:
    if derived == "se-from-95-ci":  # a printed 95 % interval "(lo, hi)": SE = width / 3.92
        low, high = (float(v) for v in printed.strip("() ").split(","))
        return (high - low) / (2 * 1.959963984540054)
    if derived:
        raise ValueError(f"unknown derivation {derived!r} in {RESULTS}")
    return float(printed)


@cache
def sources() -> pd.DataFrame:
    """Source id -> short name and full citation."""
    frame = pd.read_csv(SOURCES, dtype=str, keep_default_na=False)
    return frame.set_index("source_id")


def _table_checks() -> list[Check]:
    frame = pd.read_csv(RESULTS, dtype=str, keep_default_na=False)
    return [
        Check(
            check_id=row.check_id,
            area=row.area,
            source_id=row.source_id,
            quantity=row.quantity,
            printed=row.printed,
            published=_published(row.printed, row.derived),
            fit=row.fit,
            target=row.target,
            tolerance=row.tolerance,
            tolerance_why=row.tolerance_why,
        )
        for row in frame.itertuples(index=False)
    ]


_GRID_WHY = (
    "R and Stata draw 1,000 least-favourable simulations, which move a set's end by one grid "
    "step from seed to seed; allowance: half a printed unit plus one grid step"
)
_FLCI_WHY = (
    "R simulates the folded-normal critical value (10^6 draws, 0.12 % off the exact one); "
    "allowance: half a printed unit plus 0.15 % of the half-length"
)


def _honestdid_checks() -> list[Check]:
    """The HonestDiD reference files, read as they are (each value typed once there)."""
    out: list[Check] = []
    readme = pd.read_csv(declaration("readme_medicaid_results").file, dtype=str)
    for row in readme.itertuples(index=False):
        rm = row.restriction == "relative_magnitude"
        name = "relative magnitudes, M̄" if rm else "smoothness, M"
        for end, word in (("lb", "lower"), ("ub", "upper")):
            printed = getattr(row, end)
            out.append(
                Check(
                    check_id=f"honestdid-medicaid-{'rm' if rm else 'sd'}-{m_key(row.m)}-{end}",
                    area="HonestDiD",
                    source_id="honestdid_r",
                    quantity=f"Medicaid 2014 effect, {name} = {row.m}: {word} end of the 95 % set",
                    printed=printed,
                    published=float(printed),
                    fit="honest_medicaid_rm" if rm else "honest_medicaid_sd",
                    target=f"{m_key(row.m)}:{end}",
                    tolerance="printed" if rm else "printed+flci-mc",
                    tolerance_why="" if rm else _FLCI_WHY,
                )
            )
    stata = pd.read_csv(declaration("stata_readme_medicaid_average").file, dtype=str)
    for row in stata.itertuples(index=False):
        original = row.restriction == "original"
        what = "2014 effect" if row.target == "first" else "average 2014-15 effect"
        for end, word in (("lb", "lower"), ("ub", "upper")):
            label = "original interval" if original else f"relative magnitudes, M̄ = {row.m}"
            out.append(
                Check(
                    check_id=(
                        f"honestdid-stata-{row.target}-original-{end}"
                        if original
                        else f"honestdid-stata-average-rm-{m_key(row.m)}-{end}"
                    ),
                    area="HonestDiD",
                    source_id="honestdid_stata",
                    quantity=f"Medicaid {what}, {label}: {word} end",
                    printed=getattr(row, end),
                    published=float(getattr(row, end)),
                    fit="honest_medicaid_rm"
                    if row.target == "first"
                    else "honest_medicaid_average",
                    target=f"original:{end}" if original else f"{m_key(row.m)}:{end}",
                    tolerance="printed" if original else "printed+grid",
                    tolerance_why="" if original else _GRID_WHY,
                )
            )
    doc = json.loads(reference_file("honestdid_bc_event_study").read_text(encoding="utf-8"))
    for end, value in zip(("lb", "ub"), doc["r_original_ci"], strict=True):
        out.append(
            Check(
                check_id=f"honestdid-bc-original-{end}",
                area="HonestDiD",
                source_id="honestdid_bc",
                quantity="Benzarti-Carloni first post-period, original 95 % CI, "
                + ("lower end" if end == "lb" else "upper end"),
                printed=repr(value),
                published=float(value),
                fit="honest_bc",
                target=f"original:{end}",
                tolerance="abs:1e-9",
                tolerance_why="the source gives 15 significant digits",
            )
        )
    for row in doc["r_flci_first_post_period"]:
        m = m_key(str(row["M"]))
        centre = (row["lb"] + row["ub"]) / 2
        for what, value, tolerance, why in (
            ("centre", centre, "abs:1e-6", "same optimal estimator; R searches a grid of 100 SDs"),
            ("half", row["half_length"], "rel:0.0015", _FLCI_WHY.split("; ")[0]),
        ):
            out.append(
                Check(
                    check_id=f"honestdid-bc-sd-{m}-{what}",
                    area="HonestDiD",
                    source_id="honestdid_bc",
                    quantity=f"Benzarti-Carloni, smoothness M = {row['M']}: FLCI "
                    + ("centre" if what == "centre" else "half-length"),
                    printed=repr(value) if what == "half" else f"({row['lb']!r} + {row['ub']!r})/2",
                    published=float(value),
                    fit="honest_bc",
                    target=f"{m}:{what}",
                    tolerance=tolerance,
                    tolerance_why=why,
                )
            )
    return out


@cache
def load_checks() -> tuple[Check, ...]:
    """Every registered check, in the order of the table."""
    return tuple(_table_checks() + _honestdid_checks())


def published_value(check_id: str) -> float:
    """The published number of one check, for tests and pages that quote it.

    >>> published_value("itsa-actest-lag")
    1.0
    """
    for check in load_checks():
        if check.check_id == check_id:
            return check.published
    raise KeyError(f"no check {check_id!r} in {RESULTS}: add its row there")


def published_targets(fit: str, source_id: str, prefix: str = "") -> dict[str, float]:
    """Target -> published number, for the checks of one fit printed by one source.

    With ``prefix``, only the targets that start with it, keyed by the rest of the name.

    >>> published_targets("itsa_actest", "linden2015")
    {'suggested_lag': 1.0}
    >>> sorted(published_targets("sdid_prop99", "r_synthdid", "time_weight:"))
    ['1986', '1987', '1988']
    """
    found = [
        c
        for c in load_checks()
        if c.fit == fit and c.source_id == source_id and c.target.startswith(prefix)
    ]
    if not found:
        raise KeyError(
            f"no check of fit {fit!r} from {source_id!r} with a target starting {prefix!r} "
            f"in {RESULTS}"
        )
    targets = [c.target for c in found]
    repeated = sorted({t for t in targets if targets.count(t) > 1})
    if repeated:
        raise ValueError(f"{source_id} prints {repeated} twice for fit {fit!r} in {RESULTS}")
    return {c.target.removeprefix(prefix): c.published for c in found}


# Comparison ----------------------------------------------------------------------------------


def placebo_band(placebo: np.ndarray, seed: int = 12345) -> tuple[float, float]:
    """Central 95 % of R synthdid's 200-draw placebo SE, simulated from our placebo estimates.

    R draws each placebo treated unit at random from the controls and reports
    ``sqrt((r - 1) / r) * sd(estimates)``; with one treated unit our estimates are the 38 values
    it samples from.
    """
    rng = np.random.default_rng(seed)
    factor = math.sqrt((PLACEBO_DRAWS - 1) / PLACEBO_DRAWS)
    draws = [
        factor * np.std(rng.choice(placebo, PLACEBO_DRAWS), ddof=1)
        for _ in range(PLACEBO_REPLICATIONS)
    ]
    low, high = np.quantile(draws, [0.025, 0.975])
    return float(low), float(high)


def band(check: Check, values: Values) -> tuple[float, float, float]:
    """Ours and the acceptance band ``(low, high)`` for the published value."""
    ours = float(values[check.target])
    rule = check.tolerance
    if rule == "placebo-draws":
        return ours, *placebo_band(values["placebo"])
    if rule == "printed":
        allowance = half_unit(check.printed)
    elif rule == "printed+grid":
        allowance = half_unit(check.printed) + values["grid_step"] + 1e-12
    elif rule == "printed+flci-mc":
        half = values[check.target.rsplit(":", 1)[0] + ":half"]
        allowance = half_unit(check.printed) + FLCI_MONTE_CARLO * half
    elif rule.startswith("abs:"):
        allowance = float(rule.removeprefix("abs:"))
    elif rule.startswith("rel:"):
        allowance = float(rule.removeprefix("rel:")) * abs(check.published)
    else:
        raise ValueError(f"{check.check_id}: unknown tolerance rule {rule!r}")
    return ours, ours - allowance, ours + allowance


def status(check: Check, ours: float, low: float, high: float) -> Status:
    """Agrees within the allowance; a known difference if only a simulation spread covers it."""
    if not low <= check.published <= high:
        return "fails"
    if check.tolerance == "placebo-draws" and abs(ours - check.published) > half_unit(
        check.printed
    ):
        return "known difference"
    return "agrees"


def run_checks(checks: tuple[Check, ...] | None = None) -> tuple[list[Outcome], dict[str, float]]:
    """Call each engine once per fit and compare; returns the outcomes and seconds per fit."""
    checks = load_checks() if checks is None else checks
    values: dict[str, Values] = {}
    seconds: dict[str, float] = {}
    outcomes = []
    for check in checks:
        if check.fit not in values:
            targets = [c.target for c in checks if c.fit == check.fit]
            start = time.perf_counter()
            values[check.fit] = FITS[check.fit](targets)
            seconds[check.fit] = time.perf_counter() - start
        ours, low, high = band(check, values[check.fit])
        outcomes.append(
            Outcome(check, ours, low, high, status(check, ours, low, high), seconds[check.fit])
        )
    return outcomes, seconds


def outcome_frame(outcomes: list[Outcome]) -> pd.DataFrame:
    """One row per check: ids, printed and numeric published value, ours, band, status."""
    return pd.DataFrame(
        [
            {
                "check_id": o.check.check_id,
                "area": o.check.area,
                "source": sources().loc[o.check.source_id, "short"],
                "quantity": o.check.quantity,
                "printed": o.check.printed,
                "published": o.check.published,
                "ours": o.ours,
                "low": o.low,
                "high": o.high,
                "status": o.status,
            }
            for o in outcomes
        ]
    )


def main(argv: list[str] | None = None) -> int:
    """Print every check and the seconds per fit; exit 1 if a check fails."""
    parser = argparse.ArgumentParser(prog="python -m analysis.published.registry")
    parser.parse_args(argv)
    outcomes, seconds = run_checks()
    frame = outcome_frame(outcomes)
    with pd.option_context("display.max_rows", None, "display.width", 200):
        print(frame[["check_id", "printed", "ours", "low", "high", "status"]].to_string())
    for fit, s in seconds.items():
        print(f"{fit}: {s:.2f} s")
    counts = frame["status"].value_counts().to_dict()
    print(f"{len(frame)} checks, total {sum(seconds.values()):.1f} s: {counts}")
    return 1 if (frame["status"] == "fails").any() else 0


if __name__ == "__main__":
    sys.exit(main())
