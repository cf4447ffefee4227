"""Synthetic difference-in-differences (Arkhangelsky, Athey, Hirshberg, Imbens & Wager 2021).

Reference: *American Economic Review* 111(12): 4088-4118, Algorithm 1 (estimator) and
Section 5 / Algorithms 2-4 (standard errors); R package ``synthdid`` for the conventions
(regularisation, the Frank-Wolfe solver with a sparsifying restart, the SE algorithms). This
is an independent implementation written from the paper and the package's documentation.

Estimator, for ``N0`` controls, ``N1`` treated units adopting together after ``T0`` periods:

* noise level ``sigma`` = standard deviation of the controls' first differences over the
  pre-period; ``zeta_omega = (N1 * T1)^(1/4) * sigma``, ``zeta_lambda = 1e-6 * sigma``;
* **unit weights** ``omega`` (simplex) and intercept minimise
  ``zeta_omega^2 ||omega||^2 + (1/T0) sum_t (omega_0 + sum_i omega_i Y_it - mean_tr Y_t)^2``
  over the pre-periods;
* **time weights** ``lambda`` (simplex) and intercept minimise
  ``zeta_lambda^2 ||lambda||^2 + (1/N0) sum_i (lambda_0 + sum_t lambda_t Y_it - mean_post Y_i)^2``
  over the controls;
* both solved by Frank-Wolfe with exact line search: 100 iterations, weights below a quarter
  of the largest set to zero ("sparsify"), then up to 10,000 iterations, stopping when the
  objective falls by less than ``(1e-5 sigma)^2`` (the ``synthdid`` defaults);
* ``tau = (mean_tr,post - lambda' mean_tr,pre) - sum_i omega_i (mean_i,post - lambda' Y_i,pre)``.

``variant="sc"`` (synthetic control as in the paper's Table 1: no intercept, ``zeta`` =
``1e-6 sigma``, no time weights) and ``variant="did"`` (uniform weights) give the paper's
comparison estimators.

Standard errors (``se_method``):

``placebo`` (Algorithm 4, the default)
    Controls are relabelled as treated: ``N1`` controls drawn as placebo treated units, the
    estimator re-run on the controls only (weights re-estimated, started from the fitted
    ones, ``zeta`` kept), ``se = sqrt(var)`` of the placebo estimates. Needs more controls than
    treated units and homoskedasticity across units. With one treated unit the draws can only
    pick one of the ``N0`` controls, so the estimates are enumerated exactly (what R's random
    draws approximate: R's ``sqrt((B-1)/B) * sd`` converges to the population sd of these
    ``N0`` values, which is the reported SE). The interval is ``tau +/- t(N0 - 1) * s`` with
    ``s`` the sample sd (ddof 1) of the placebo estimates: the small-sample reference for a
    variance estimated from ``N0`` exchangeable placebo estimates; with 8 controls the normal
    interval ``tau +/- 1.96 se`` that R prints under-covers (see ``benchmarks/did_synth.py``).
    Even the t interval is approximate with so few controls: the placebo SD is itself noisy
    and, when units are not exchangeable, it can under-cover (measured in the benchmark:
    near nominal on 8-year AR(1) panels); the result says so in its notes. With at least as
    many pre-periods as controls (``T0 >= N0``, e.g. 72 months and 8 controls) the placebos
    start from time weights that already reproduce the controls' post-period means, the
    placebo SD collapses and the interval covered 33 % in simulation: there the SE is reported
    but no interval, and the result says it is not valid.
``jackknife`` (Algorithm 3)
    Leave-one-unit-out with the weights held fixed. Not defined with one treated unit (the
    SE is NaN and the reason given, as R returns NA), and justified only with many treated
    units: below 10 treated units the SE is reported but no interval.
``bootstrap`` (Algorithm 2)
    Units resampled with replacement, weights re-estimated; the same many-treated-units
    caveat applies.

Library choice: R ``synthdid``'s Python packaging (``synthdid`` 0.10.1 on PyPI) does not build
offline; ``synthdid-py`` 0.1.0 (BSD-3, a single-author port released July 2026) gives the same
Prop 99 estimate (-15.6038) but is new, unreviewed and draws its placebo SE at random; the
estimator is about 200 lines, so it is implemented here and tested against the paper and
R's printed output.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from analysis.did.panel import Panel, PanelError
from analysis.did.twobytwo import common_adoption
from analysis.estimates import Estimate, ResultMixin

SEMethod = Literal["placebo", "jackknife", "bootstrap"]
Variant = Literal["sdid", "sc", "did"]
MANY_TREATED = 10
SE_METHODS: tuple[str, ...] = ("placebo", "jackknife", "bootstrap")


# Frank-Wolfe --------------------------------------------------------------------------------


def _fw(
    a: np.ndarray,
    b: np.ndarray,
    zeta: float,
    start: np.ndarray,
    *,
    intercept: bool,
    min_decrease: float,
    max_iter: int,
) -> np.ndarray:
    """Simplex weights ``x`` minimising ``zeta^2 ||x||^2 + ||a x - b||^2 / n`` by Frank-Wolfe.

    ``a`` is (n, k): ``n`` observations (rows), ``k`` weights. With ``intercept`` the columns
    of ``[a, b]`` are centred first (a free intercept).
    """
    if intercept:
        a = a - a.mean(axis=0)
        b = b - b.mean()
    n = a.shape[0]
    eta = n * zeta**2
    # Gram form: every step costs O(k) instead of O(n k).
    gram = a.T @ a
    diag = np.diag(gram).copy()
    c = a.T @ b
    bb = float(b @ b)
    x = np.asarray(start, dtype=float).copy()
    g = gram @ x
    xg, cx, xx = float(x @ g), float(c @ x), float(x @ x)
    zeta2 = zeta**2
    previous = math.inf
    threshold = min_decrease**2
    for t in range(max_iter):
        i = int(np.argmin(g - c + eta * x))
        gi, ci, xi = float(g[i]), float(c[i]), float(x[i])
        numerator = -((gi - ci) - (xg - cx)) - eta * (xi - xx)
        denominator = diag[i] - 2.0 * gi + xg + eta * (1.0 - 2.0 * xi + xx)
        if denominator > 0 and (xi != 1.0):
            step = min(1.0, max(0.0, numerator / denominator))
            if step > 0:
                keep = 1.0 - step
                x *= keep
                x[i] += step
                g *= keep
                g += step * gram[:, i]
                xg = keep * keep * xg + 2.0 * step * keep * gi + step * step * diag[i]
                cx = keep * cx + step * ci
                xx = keep * keep * xx + 2.0 * step * keep * xi + step * step
                if t % 256 == 255:  # refresh the running products
                    g = gram @ x
                    xg, cx, xx = float(x @ g), float(c @ x), float(x @ x)
        value = zeta2 * xx + (xg - 2.0 * cx + bb) / n
        if t >= 1 and previous - value <= threshold:
            break
        previous = value
    return x


def _sparsify(x: np.ndarray) -> np.ndarray:
    out = np.where(x <= x.max() / 4.0, 0.0, x)
    return out / out.sum()


def _weights(
    a: np.ndarray,
    b: np.ndarray,
    zeta: float,
    start: np.ndarray,
    *,
    intercept: bool,
    min_decrease: float,
) -> np.ndarray:
    """synthdid's two-stage solve: 100 iterations, sparsify, then up to 10,000."""
    first = _fw(a, b, zeta, start, intercept=intercept, min_decrease=min_decrease, max_iter=100)
    return _fw(
        a,
        b,
        zeta,
        _sparsify(first),
        intercept=intercept,
        min_decrease=min_decrease,
        max_iter=10_000,
    )


@dataclass(frozen=True)
class _Setting:
    zeta_omega: float
    zeta_lambda: float
    min_decrease: float
    variant: Variant


def _noise_level(y: np.ndarray, n0: int, t0: int) -> float:
    diffs = np.diff(y[:n0, :t0], axis=1)
    return float(np.std(diffs, ddof=1)) if diffs.size > 1 else 0.0


def _setting(y: np.ndarray, n0: int, t0: int, variant: Variant) -> _Setting:
    n1, t1 = y.shape[0] - n0, y.shape[1] - t0
    sigma = _noise_level(y, n0, t0)
    eta_omega = (n1 * t1) ** 0.25 if variant == "sdid" else 1e-6
    return _Setting(eta_omega * sigma, 1e-6 * sigma, 1e-5 * sigma, variant)


def _estimate(
    y: np.ndarray,
    n0: int,
    t0: int,
    setting: _Setting,
    omega0: np.ndarray | None = None,
    lambda0: np.ndarray | None = None,
    *,
    update: bool = True,
) -> tuple[float, np.ndarray, np.ndarray]:
    """tau, omega, lambda for controls ``0..n0-1`` and pre-periods ``0..t0-1``."""
    controls, treated = y[:n0], y[n0:]
    pre_tr = treated[:, :t0].mean(axis=0)
    post_c = controls[:, t0:].mean(axis=1)
    if setting.variant == "did":
        omega = np.full(n0, 1.0 / n0)
        lam = np.full(t0, 1.0 / t0)
    else:
        start_w = omega0 if omega0 is not None else np.full(n0, 1.0 / n0)
        omega = (
            _weights(
                controls[:, :t0].T,
                pre_tr,
                setting.zeta_omega,
                start_w,
                intercept=setting.variant == "sdid",
                min_decrease=setting.min_decrease,
            )
            if update
            else start_w
        )
        if setting.variant == "sc":
            lam = np.zeros(t0)
        else:
            start_l = lambda0 if lambda0 is not None else np.full(t0, 1.0 / t0)
            lam = (
                _weights(
                    controls[:, :t0],
                    post_c,
                    setting.zeta_lambda,
                    start_l,
                    intercept=True,
                    min_decrease=setting.min_decrease,
                )
                if update
                else start_l
            )
    tau = _tau(y, n0, t0, omega, lam)
    return tau, omega, lam


def _tau(y: np.ndarray, n0: int, t0: int, omega: np.ndarray, lam: np.ndarray) -> float:
    unit = np.concatenate([-omega, np.full(y.shape[0] - n0, 1.0 / (y.shape[0] - n0))])
    time = np.concatenate([-lam, np.full(y.shape[1] - t0, 1.0 / (y.shape[1] - t0))])
    return float(unit @ y @ time)


def _normalised(w: np.ndarray) -> np.ndarray:
    s = w.sum()
    return w / s if s > 0 else np.full(w.size, 1.0 / w.size)


# Standard errors ----------------------------------------------------------------------------


def _placebo_draws(y, n0, t0, setting, omega, lam, *, draws, seed) -> tuple[np.ndarray, bool]:
    """Placebo estimates (exact enumeration when N1 = 1) and whether they are exact."""
    n1 = y.shape[0] - n0
    controls = y[:n0]
    out = []
    if n1 == 1:
        for j in range(n0):
            keep = np.r_[np.delete(np.arange(n0), j), j]
            tau, *_ = _estimate(
                controls[keep], n0 - 1, t0, setting, _normalised(omega[keep[:-1]]), lam
            )
            out.append(tau)
        return np.array(out), True
    rng = np.random.default_rng(seed)
    for _ in range(draws):
        order = rng.permutation(n0)
        m0 = n0 - n1
        tau, *_ = _estimate(controls[order], m0, t0, setting, _normalised(omega[order[:m0]]), lam)
        out.append(tau)
    return np.array(out), False


def _jackknife(y, n0, t0, omega, lam) -> float:
    n = y.shape[0]
    values = []
    for i in range(n):
        keep = np.delete(np.arange(n), i)
        m0 = int(np.sum(keep < n0))
        w = _normalised(omega[keep[:m0]])
        values.append(_tau(y[keep], m0, t0, w, lam))
    u = np.array(values)
    return float(math.sqrt((n - 1) / n * np.sum((u - u.mean()) ** 2)))


def _bootstrap(y, n0, t0, setting, omega, lam, *, draws, seed) -> float:
    rng = np.random.default_rng(seed)
    n = y.shape[0]
    values = []
    tries = 0
    while len(values) < draws and tries < 50 * draws:
        tries += 1
        pick = np.sort(rng.integers(0, n, n))
        m0 = int(np.sum(pick < n0))
        if m0 == 0 or m0 == n:
            continue
        tau, *_ = _estimate(y[pick], m0, t0, setting, _normalised(omega[pick[:m0]]), lam)
        values.append(tau)
    b = len(values)
    return float(math.sqrt((b - 1) / b) * np.std(values, ddof=1)) if b > 1 else math.nan


# Result -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SDIDResult(ResultMixin):
    """Result of :func:`synthetic_did`.

    Attributes
    ----------
    att
        The estimate with its standard error and interval (or the reason there is none).
    unit_weights, time_weights
        ``omega`` over the controls and ``lambda`` over the pre-periods.
    se_method, variant
        How the SE was computed; which estimator (sdid, sc or did).
    n_treated, n_controls, n_pre, n_post
        Block dimensions.
    placebo_estimates
        The placebo estimates (placebo SE only).
    notes
        Caveats shown under the summary.
    """

    method_name = "synthetic difference-in-differences"

    att: Estimate
    unit_weights: pd.Series
    time_weights: pd.Series
    se_method: str
    variant: str
    n_treated: int
    n_controls: int
    n_pre: int
    n_post: int
    placebo_estimates: np.ndarray
    notes: tuple[str, ...] = ()

    def estimates(self) -> tuple[Estimate, ...]:
        """The ATT."""
        return (self.att,)

    def summary_header(self) -> list[tuple[str, str]]:
        """Design and effective numbers of controls and periods."""
        return [
            ("estimator", self.variant),
            ("treated units, controls", f"{self.n_treated}, {self.n_controls}"),
            ("pre, post periods", f"{self.n_pre}, {self.n_post}"),
            ("effective controls", f"{1.0 / np.sum(self.unit_weights**2):.1f}"),
            ("SE method", self.se_method),
        ]

    def summary_notes(self) -> list[str]:
        """Caveats."""
        return list(self.notes)

    def json_extra(self) -> dict[str, Any]:
        """Weights and design."""
        return {
            "variant": self.variant,
            "se_method": self.se_method,
            "unit_weights": {str(k): v for k, v in self.unit_weights.items()},
            "time_weights": {str(k): v for k, v in self.time_weights.items()},
            "n_treated": self.n_treated,
            "n_controls": self.n_controls,
            "n_pre": self.n_pre,
            "n_post": self.n_post,
            "placebo_estimates": list(map(float, self.placebo_estimates)),
        }


def synthetic_did(
    panel: Panel,
    *,
    se_method: SEMethod = "placebo",
    draws: int = 200,
    seed: int = 0,
    alpha: float = 0.05,
    variant: Variant = "sdid",
) -> SDIDResult:
    """Synthetic DiD estimate of the ATT for treated units adopting at one date.

    Parameters
    ----------
    panel
        Balanced panel with one adoption date (block design) and at least two controls.
    se_method
        ``"placebo"`` (default; valid with one treated unit), ``"jackknife"`` or
        ``"bootstrap"`` (need many treated units), see the module docstring.
    draws
        Replications for the bootstrap, and for placebo draws with more than one treated unit
        (with one treated unit the N0 placebo estimates are enumerated exactly).
    seed
        Seed for the random draws.
    alpha
        One minus the interval's coverage.
    variant
        ``"sdid"``, or the paper's comparison estimators ``"sc"`` and ``"did"``.

    Returns
    -------
    SDIDResult

    Raises
    ------
    PanelError
        For a staggered panel, fewer than two pre-periods or controls, or an unknown option.
    """
    if se_method not in SE_METHODS:
        raise PanelError(
            f"se_method={se_method!r}; choose one of {', '.join(SE_METHODS)}",
            zh=f"se_method={se_method!r}；请从 {', '.join(SE_METHODS)} 中选择",
        )
    if variant not in ("sdid", "sc", "did"):
        raise PanelError(
            f"variant={variant!r}; choose sdid, sc or did",
            zh=f"variant={variant!r}；请选择 sdid、sc 或 did",
        )
    adoption = common_adoption(panel)
    if adoption < 2:
        raise PanelError(
            "synthetic DiD needs at least two pre-treatment periods",
            zh="合成双重差分至少需要两个干预前时期",
        )
    order = np.r_[np.flatnonzero(~panel.ever_treated), np.flatnonzero(panel.ever_treated)]
    n1 = int(panel.ever_treated.sum())
    n0 = panel.n_units - n1
    if n0 < 2:
        raise PanelError(
            "synthetic DiD needs at least two control units", zh="合成双重差分至少需要两个对照单位"
        )
    y = panel.outcome[order]
    t0 = adoption
    setting = _setting(y, n0, t0, variant)
    tau, omega, lam = _estimate(y, n0, t0, setting)
    notes: list[str] = []
    placebo = np.empty(0)
    name = "att"
    if se_method == "placebo":
        if n0 <= n1:
            att = Estimate(
                name,
                tau,
                interval_method="placebo SE needs more controls than treated units "
                f"({n0} controls, {n1} treated): no SE or interval",
                alpha=alpha,
            )
        else:
            placebo, exact = _placebo_draws(y, n0, t0, setting, omega, lam, draws=draws, seed=seed)
            se = (
                float(np.std(placebo, ddof=0))
                if exact
                else float(math.sqrt((placebo.size - 1) / placebo.size) * np.std(placebo, ddof=1))
            )
            s_small = float(np.std(placebo, ddof=1))
            df = placebo.size - 1 if exact else n0 - n1
            q = float(stats.t.ppf(1 - alpha / 2, df))
            how = (
                f"exact enumeration of the {n0} controls as placebo treated"
                if exact
                else f"{draws} random placebo assignments (seed {seed})"
            )
            in_sample = t0 >= n0
            if in_sample:
                # The placebos keep the time weights, which were fitted on these same controls;
                # with at least as many pre-periods as controls those weights can reproduce
                # the controls' post-period means, so the placebo estimates shrink towards 0
                # (33 % coverage of a nominal 95 % interval on 96-month AR(1) panels with
                # 8 controls, benchmarks/did_coverage.py).
                att = Estimate(
                    name,
                    tau,
                    interval_method=(
                        f"NOT VALID here: placebo SE (Arkhangelsky et al. 2021, Algorithm 4; "
                        f"{how}) with {t0} pre-periods >= {n0} controls: the time weights "
                        "fitted on the controls reproduce their post-period means, so the "
                        "placebo SD is far too small; no interval is given (use the synthetic "
                        "control's conformal interval, estimator sc, or the collapse interval "
                        "of twfe)"
                    ),
                    alpha=alpha,
                )
            else:
                att = Estimate(
                    name,
                    tau,
                    se=se,
                    ci_lower=tau - q * s_small,
                    ci_upper=tau + q * s_small,
                    p_value=(
                        float(2 * stats.t.sf(abs(tau) / s_small, df)) if s_small > 0 else math.nan
                    ),
                    interval_method=(
                        f"placebo SE (Arkhangelsky et al. 2021, Algorithm 4; {how}); interval "
                        f"tau +/- t({df}) x sample sd of the placebo estimates (small-sample "
                        "reference; assumes homoskedastic, exchangeable units)"
                    ),
                    alpha=alpha,
                )
            if n0 < MANY_TREATED and not in_sample:
                notes.append(
                    f"with {n0} controls the placebo SD rests on {placebo.size} placebo "
                    "estimates and varies a lot from panel to panel: the interval is "
                    "approximate and can under-cover when units are not exchangeable "
                    "(benchmarks/did_synth.py measures its coverage on AR(1) panels with 8 "
                    "controls: close to nominal over 8 years, below it over 96 months)"
                )
            if in_sample:
                notes.append(
                    f"no SE is reported: the placebo SD ({se:.4g}, R synthdid's SE) is not a "
                    "valid standard error for this design (the placebo estimates are in "
                    "details.placebo_estimates)"
                )
            else:
                notes.append(
                    f"R synthdid's interval is tau +/- 1.96 x SE = [{tau - 1.96 * se:.4g}, "
                    f"{tau + 1.96 * se:.4g}]; with few controls it under-covers, hence the "
                    f"t({df}) interval"
                )
    elif se_method == "jackknife":
        if n1 < 2:
            att = Estimate(
                name,
                tau,
                interval_method="jackknife SE is not defined with one treated unit "
                "(Arkhangelsky et al. 2021, Algorithm 3; R synthdid returns NA): use "
                "se_method='placebo'",
                alpha=alpha,
            )
        else:
            se = _jackknife(y, n0, t0, omega, lam)
            att = _many_treated(name, tau, se, n1, "jackknife (Algorithm 3, weights fixed)", alpha)
    else:
        se = _bootstrap(y, n0, t0, setting, omega, lam, draws=draws, seed=seed)
        att = _many_treated(
            name, tau, se, n1, f"bootstrap (Algorithm 2, {draws} draws, seed {seed})", alpha
        )
    controls_labels = panel.units[order[:n0]]
    return SDIDResult(
        att=att,
        unit_weights=pd.Series(omega, index=controls_labels, name="omega"),
        time_weights=pd.Series(lam, index=panel.times[:t0], name="lambda"),
        se_method=se_method,
        variant=variant,
        n_treated=n1,
        n_controls=n0,
        n_pre=t0,
        n_post=panel.n_periods - t0,
        placebo_estimates=placebo,
        notes=tuple(notes),
    )


def _many_treated(name: str, tau: float, se: float, n1: int, how: str, alpha: float) -> Estimate:
    if n1 < MANY_TREATED:
        return Estimate(
            name,
            tau,
            se=se,
            interval_method=(
                f"{how} SE; not valid with {n1} treated units (Arkhangelsky et al. 2021, "
                f"Section 5: it needs many treated units; here fewer than {MANY_TREATED}): "
                "no interval, use se_method='placebo'"
            ),
            alpha=alpha,
        )
    return Estimate.from_se(name, tau, se, method=f"{how} SE, normal interval", alpha=alpha)
