"""Residual autocorrelation by lag, as Stata's ``actest`` reports it, and the lag rule.

``actest`` (Baum & Schaffer) tests for autocorrelation at lags 1..p; Linden (2015, *Stata
Journal* 15(2):480-500, section 3) runs it after ``itsa`` and picks the Newey-West lag as the
highest lag at which autocorrelation is still found. Here the test is Breusch-Godfrey (the
test ``actest`` reduces to under conditional homoskedasticity; statsmodels'
``acorr_breusch_godfrey``, pre-sample residuals set to zero), run on the residuals the fitted
model treats as independent. Two statistics per lag ``j``:

* **range** ``1..j``: H0 no autocorrelation at any lag 1..j; ``LM = n R^2`` of the auxiliary
  regression of the residuals on the design and lags 1..j, chi2(j) (statsmodels' statistic);
* **at lag j**: H0 no autocorrelation at lag j given lags 1..j-1, the increase in that ``LM``
  from lags 1..j-1 to 1..j, chi2(1) (``actest``'s ``q(j-1)`` form).

**Lag rule** (``lag_rule="actest"``): test upwards from lag 1 and stop at the first lag
whose at-lag test does not reject at 5 %; the Newey-West lag is the last lag that rejected
(0, heteroskedasticity-robust only as ``newey, lag(0)``, when lag 1 does not reject). This is
the smallest lag after which the at-lag p-value exceeds 0.05, as Linden (2015) reads the
``actest`` table. Taking the *largest* rejecting lag instead would pick a spurious long lag
in about half of all independent series when 12 lags are tested; rejections beyond the
stopping lag are listed in the check (``isolated``) so a reader sees them. Selecting the lag
on the same data makes the nominal level of the final test approximate.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> e = np.zeros(200)
>>> for i in range(1, 200):
...     e[i] = 0.6 * e[i - 1] + rng.normal()
>>> check = lag_tests(e, np.ones((200, 1)), max_lag=4)
>>> check.suggested_lag >= 1, check.rows[0].p_at_lag < 0.05
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.diagnostic import acorr_breusch_godfrey

LAG_RULE_ALPHA = 0.05


@dataclass(frozen=True)
class LagTest:
    """Breusch-Godfrey statistics at one lag ``j``."""

    lag: int
    lm_range: float
    p_range: float
    lm_at_lag: float
    p_at_lag: float

    def to_dict(self) -> dict[str, float]:
        """Plain record for JSON."""
        return {
            "lag": self.lag,
            "lm_range": self.lm_range,
            "p_range": self.p_range,
            "lm_at_lag": self.lm_at_lag,
            "p_at_lag": self.p_at_lag,
        }


@dataclass(frozen=True)
class AutocorrelationCheck:
    """Tests at lags 1..k and the lag the rule picks."""

    rows: tuple[LagTest, ...]
    suggested_lag: int
    residual_kind: str
    n: int

    @property
    def isolated(self) -> tuple[int, ...]:
        """Lags beyond the rule's choice whose at-lag test still rejects at 5 %."""
        return tuple(
            r.lag
            for r in self.rows
            if r.lag > self.suggested_lag + 1 and r.p_at_lag < LAG_RULE_ALPHA
        )

    def to_dict(self) -> dict[str, object]:
        """Plain record for JSON ``details``."""
        return {
            "test": "Breusch-Godfrey (as actest), pre-sample residuals zero",
            "residuals": self.residual_kind,
            "n": self.n,
            "rule": (
                f"lags 1, 2, ... while the at-lag test has p < {LAG_RULE_ALPHA:g}; the last "
                "such lag (0 if lag 1 has p >= 0.05), Linden 2015"
            ),
            "suggested_lag": self.suggested_lag,
            "isolated": list(self.isolated),
            "lags": [row.to_dict() for row in self.rows],
        }

    def lines(self) -> list[str]:
        """Text table for the summary."""
        out = [
            f"Autocorrelation by lag (Breusch-Godfrey on {self.residual_kind} residuals, "
            f"n = {self.n}):",
            f"{'lag':>4} {'LM 1..j':>9} {'p':>7} {'LM at j':>9} {'p':>7}",
        ]
        for row in self.rows:
            out.append(
                f"{row.lag:>4} {row.lm_range:>9.3f} {row.p_range:>7.3f} "
                f"{row.lm_at_lag:>9.3f} {row.p_at_lag:>7.3f}"
            )
        out.append(
            f"Lag rule (lags 1, 2, ... while at-lag p < {LAG_RULE_ALPHA:g}): "
            f"lag {self.suggested_lag}"
            + (
                f"; isolated rejections at lag {', '.join(map(str, self.isolated))}"
                if self.isolated
                else ""
            )
        )
        return out


def default_max_lag(n: int) -> int:
    """Lags tested when none are given: 12 (a year of months), at most a third of the points.

    Examples
    --------
    >>> default_max_lag(96), default_max_lag(31), default_max_lag(5)
    (12, 10, 1)
    """
    return int(max(1, min(12, n // 3)))


def lag_tests(
    resid: np.ndarray, exog: np.ndarray, max_lag: int | None = None, kind: str = "OLS"
) -> AutocorrelationCheck:
    """Breusch-Godfrey tests at lags 1..``max_lag`` and the lag rule's choice.

    Parameters
    ----------
    resid
        Residuals in time order (one series).
    exog
        The design the residuals come from (rows as ``resid``).
    max_lag
        Highest lag tested (default :func:`default_max_lag`).
    kind
        Label of the residuals for the report.

    Returns
    -------
    AutocorrelationCheck
        One row per lag and the suggested Newey-West lag.
    """
    resid = np.asarray(resid, dtype=float)
    exog = np.asarray(exog, dtype=float)
    n = resid.size
    k = default_max_lag(n) if max_lag is None else int(max_lag)
    k = max(1, min(k, n - 2))
    aux = sm.OLS(resid, exog).fit()
    rows: list[LagTest] = []
    previous = 0.0
    for j in range(1, k + 1):
        lm, p_range, _, _ = acorr_breusch_godfrey(aux, nlags=j, result_object=False)
        lm = float(lm)
        at_lag = max(lm - previous, 0.0)
        rows.append(
            LagTest(
                lag=j,
                lm_range=lm,
                p_range=float(p_range),
                lm_at_lag=at_lag,
                p_at_lag=float(stats.chi2.sf(at_lag, 1)),
            )
        )
        previous = lm
    suggested = 0
    for row in rows:
        if row.p_at_lag >= LAG_RULE_ALPHA:
            break
        suggested = row.lag
    return AutocorrelationCheck(
        rows=tuple(rows),
        suggested_lag=suggested,
        residual_kind=kind,
        n=n,
    )
