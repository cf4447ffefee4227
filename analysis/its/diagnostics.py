"""Residual diagnostics and placebo-in-time checks for an ITS fit.

Autocorrelation tests are statsmodels' own (``durbin_watson``, ``acorr_breusch_godfrey``,
``acorr_ljungbox``). They are run on the residuals the fitted model treats as independent:
OLS residuals for OLS/HAC fits, *whitened* residuals for Prais–Winsten fits (what AR(1)
left over) and Pearson residuals for GLMs. Breusch–Godfrey needs a regression, so it is run on
the OLS regression of those residuals on the (whitened) design, whose residuals they are.
For comparative ITS only the treated series' rows are tested.

The placebo-in-time check refits the same model on the pre-intervention data alone, moving
the intervention to every feasible earlier date (feasible = the engine accepts it: enough
points in every segment, so dates next to another interruption drop out). The distribution of
these placebo "effects" shows how large a change the series produces when nothing happened;
the real estimate's rank in it is an empirical p-value.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from analysis.its.fit import its
>>> rng = np.random.default_rng(2)
>>> frame = pd.DataFrame({"t": np.arange(48), "y": rng.normal(0, 1, 48)})
>>> fit = its(frame, time="t", outcome="y", intervention=36, impact="level")
>>> tests = autocorrelation_tests(fit, lags=4)
>>> 1.5 < tests.durbin_watson < 2.5
True
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import statsmodels.api as sm
from matplotlib.axes import Axes
from statsmodels.graphics.tsaplots import plot_acf
from statsmodels.stats.diagnostic import acorr_breusch_godfrey, acorr_ljungbox
from statsmodels.stats.stattools import durbin_watson

from analysis.its.errors import ITSInputError
from analysis.its.fit import ITSSpec, _ordered, _select_series, fit_its
from analysis.its.results import ITSResult
from analysis.tables.timelabels import parse_point, parse_time


@dataclass(frozen=True)
class AutocorrelationTests:
    """Durbin–Watson, Breusch–Godfrey and Ljung–Box on one fit's residuals."""

    durbin_watson: float
    breusch_godfrey_lm: float
    breusch_godfrey_p: float
    ljung_box_q: float
    ljung_box_p: float
    lags: int
    residual_kind: str

    def as_frame(self) -> pd.DataFrame:
        """Tidy table, one test per row."""
        return pd.DataFrame(
            [
                {"test": "Durbin–Watson", "statistic": self.durbin_watson, "p": np.nan, "lags": 1},
                {
                    "test": "Breusch–Godfrey",
                    "statistic": self.breusch_godfrey_lm,
                    "p": self.breusch_godfrey_p,
                    "lags": self.lags,
                },
                {
                    "test": "Ljung–Box",
                    "statistic": self.ljung_box_q,
                    "p": self.ljung_box_p,
                    "lags": self.lags,
                },
            ]
        )


def model_residuals(result: ITSResult) -> tuple[np.ndarray, np.ndarray, str]:
    """Residuals the model treats as independent, the matching design, and their kind.

    Parameters
    ----------
    result
        An ITS fit.

    Returns
    -------
    tuple
        Residuals, design (whitened for GLS) restricted to the treated rows, and a label.
    """
    res = result.model
    exog = np.asarray(res.model.exog, dtype=float)
    if hasattr(res, "resid_pearson") and not hasattr(res.model, "whiten"):
        resid, kind = np.asarray(res.resid_pearson, dtype=float), "Pearson"
    elif result.errors == "ar1":
        resid = np.asarray(res.wresid, dtype=float)
        exog = np.asarray(res.model.wexog, dtype=float)
        kind = "whitened (Prais–Winsten)"
    else:
        resid, kind = np.asarray(res.resid, dtype=float), "OLS"
    if "treated" in result.params.index:
        rows = exog[:, list(result.params.index).index("treated")] == 1.0
        resid, exog = resid[rows], exog[rows]
    return resid, exog, kind


def default_lags(n: int) -> int:
    """Lags for Breusch–Godfrey and Ljung–Box: 12 for long monthly series, fewer if short.

    Examples
    --------
    >>> default_lags(96), default_lags(20)
    (12, 4)
    """
    return int(max(1, min(12, n // 5)))


def autocorrelation_tests(result: ITSResult, lags: int | None = None) -> AutocorrelationTests:
    """Run Durbin–Watson, Breusch–Godfrey and Ljung–Box on a fit's residuals.

    Parameters
    ----------
    result
        An ITS fit.
    lags
        Test order for Breusch–Godfrey and Ljung–Box (default :func:`default_lags`).

    Returns
    -------
    AutocorrelationTests
        Statistics and p-values.
    """
    resid, exog, kind = model_residuals(result)
    lags = default_lags(resid.size) if lags is None else int(lags)
    aux = sm.OLS(resid, exog).fit()
    lm, lm_p, _, _ = acorr_breusch_godfrey(aux, nlags=lags, result_object=False)
    lb = acorr_ljungbox(resid, lags=[lags], return_df=True)
    return AutocorrelationTests(
        durbin_watson=float(durbin_watson(resid)),
        breusch_godfrey_lm=float(lm),
        breusch_godfrey_p=float(lm_p),
        ljung_box_q=float(lb["lb_stat"].iloc[0]),
        ljung_box_p=float(lb["lb_pvalue"].iloc[0]),
        lags=lags,
        residual_kind=kind,
    )


def plot_residual_acf(result: ITSResult, ax: Axes, lags: int | None = None) -> Axes:
    """Draw the residual autocorrelation function with 95 % bands (statsmodels ``plot_acf``).

    Parameters
    ----------
    result
        An ITS fit.
    ax
        Target axes.
    lags
        Largest lag (default 24, or ``n // 2`` for short series).

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``.
    """
    resid, _, kind = model_residuals(result)
    lags = min(24, resid.size // 2 - 1) if lags is None else lags
    plot_acf(resid, ax=ax, lags=lags, zero=False, title=None)
    ax.set_xlabel("lag")
    ax.set_ylabel("autocorrelation")
    ax.set_ylim(-0.6, 0.6)
    ax.set_title(f"{kind} residuals", fontsize=10)
    return ax


@dataclass(frozen=True)
class PlaceboResult:
    """Placebo-in-time estimates and where the real one falls among them.

    Attributes
    ----------
    table
        One row per feasible fake date: ``time``, ``level``, ``slope`` (NaN if not modelled).
    real
        The real intervention's ``level`` and ``slope`` estimates.
    p_level, p_slope
        Share of placebo estimates at least as large in absolute value as the real one
        (counting the real one, so never 0).
    """

    table: pd.DataFrame
    real: dict[str, float]
    p_level: float
    p_slope: float


def _empirical_p(placebo: np.ndarray, real: float) -> float:
    placebo = placebo[np.isfinite(placebo)]
    if not np.isfinite(real) or placebo.size == 0:
        return float("nan")
    return float((1 + np.sum(np.abs(placebo) >= abs(real))) / (1 + placebo.size))


def placebo_in_time(data: pd.DataFrame, spec: ITSSpec) -> PlaceboResult:
    """Refit ``spec`` on pre-intervention data at every feasible fake intervention date.

    Parameters
    ----------
    data
        The data of the real analysis.
    spec
        The real analysis; placebo fits use OLS errors (only point estimates are compared)
        and keep other interruptions that fall inside the pre-intervention data.

    Returns
    -------
    PlaceboResult
        Placebo table, real estimates and empirical p-values.
    """
    real = fit_its(data, spec)
    unit = real.time_unit
    # every row's position (a long file's control rows too), in the real fit's time format
    axis = parse_time(data[spec.time], spec.time_format, spec.time, rows=data.index)
    cut = parse_point(spec.intervention, unit)
    pre = data.loc[axis.positions < cut]
    frame, treated_axis, _ = _ordered(_select_series(data, spec)[0], spec)
    before = treated_axis.positions < cut
    pre_pos = treated_axis.positions[before]
    others = tuple(o for o in spec.others if pre_pos[0] < parse_point(o.at, unit) <= pre_pos[-1])
    rows = []
    for value in frame.loc[before, spec.time].tolist()[1:]:
        fake = replace(
            spec, intervention=value, errors="ols", others=others, events=None, ac_lags=0
        )
        try:
            fit = fit_its(pre, fake)
        except ITSInputError:
            continue
        rows.append(
            {
                "time": value,
                "level": fit.effects["level"].estimate if "level" in fit.effects else np.nan,
                "slope": fit.effects["slope"].estimate if "slope" in fit.effects else np.nan,
            }
        )
    table = pd.DataFrame(rows, columns=["time", "level", "slope"])
    real_values = {
        k: (real.effects[k].estimate if k in real.effects else float("nan"))
        for k in ("level", "slope")
    }
    return PlaceboResult(
        table=table,
        real=real_values,
        p_level=_empirical_p(table["level"].to_numpy(dtype=float), real_values["level"]),
        p_slope=_empirical_p(table["slope"].to_numpy(dtype=float), real_values["slope"]),
    )
