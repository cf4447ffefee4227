"""Reproduce a published ITS result: the Sicily smoking ban (Lopez Bernal et al. 2017).

Reference: J. Lopez Bernal, S. Cummins, A. Gasparrini. Interrupted time series regression for
the evaluation of public health interventions: a tutorial. Int J Epidemiol 2017;46(1):348-355,
doi:10.1093/ije/dyw098; corrigendum Int J Epidemiol 2020;49(4):1414. Data: the authors'
``sicily.csv`` (``data/public/sicily_smoking_ban.csv``, dataset ``sicily_smoking_ban``). The published model with
seasonality (the authors' code, model 3: quasi-Poisson, step change, linear trend, two
harmonic pairs over 12 months, log age-standardised population as offset) prints the ban's
rate ratio with its 95 % CI, the dispersion and the underlying trend per year to three
decimals. Those values are typed once, with this citation, in the validation registry
(``data/published/published_results.csv``, check ids ``its-sicily-*``, source
``lopezbernal2017``) and read from there.
"""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from analysis.chapters.its_qianjiang import sicily_numbers
from analysis.datasets import load_data
from analysis.published.fits import sicily_fit
from analysis.published.registry import published_targets


def sicily():
    return load_data("sicily_smoking_ban").frame


PUBLISHED = published_targets("its_sicily", "lopezbernal2017")  # check ids its-sicily-*


@pytest.fixture(scope="module")
def model3():
    # The model is specified once, where the validation appendix fits it.
    return sicily_fit()


def test_rate_ratio_matches_published_to_printed_precision(model3) -> None:
    ratio = model3.rate_ratios["level"]
    assert round(ratio.estimate, 3) == PUBLISHED["rate_ratio"]
    assert (round(ratio.ci_lower, 3), round(ratio.ci_upper, 3)) == (
        PUBLISHED["ci_low"],
        PUBLISHED["ci_high"],
    )
    assert round(model3.dispersion, 3) == PUBLISHED["dispersion"]
    assert round(float(np.exp(12 * model3.params["time"])), 3) == PUBLISHED["trend_per_year"]


def test_ban_month_is_january_2005_and_data_are_the_published_file() -> None:
    frame = sicily()
    assert len(frame) == 59 and frame["smokban"].sum() == 23
    assert frame.loc[frame["time"] == 37, ["year", "month"]].to_numpy().tolist() == [[2005, 1]]


def test_same_numbers_as_a_direct_statsmodels_glm(model3) -> None:
    frame = sicily()
    month = frame["month"].to_numpy(dtype=float)
    harmonics = np.column_stack(
        [f(2 * np.pi * k * month / 12) for k in (1, 2) for f in (np.sin, np.cos)]
    )
    x = np.column_stack([np.ones(59), frame["smokban"], frame["time"], harmonics])
    ref = sm.GLM(
        frame["aces"].to_numpy(),
        x,
        family=sm.families.Poisson(),
        offset=np.log(frame["stdpop"].to_numpy()),
    ).fit(scale="X2")
    assert model3.effects["level"].estimate == pytest.approx(ref.params[1], abs=1e-10)
    assert model3.effects["level"].se == pytest.approx(ref.bse[1], abs=1e-10)
    np.testing.assert_allclose(model3.counterfactual["fitted"], ref.fittedvalues, rtol=1e-10)


def test_the_page_fits_the_same_model_and_quotes_the_registry(model3) -> None:
    page = sicily_fit()
    assert page.params.equals(model3.params) and page.dispersion == model3.dispersion
    glued = sicily_numbers()
    for key, target in (("rr", "rate_ratio"), ("lo", "ci_low"), ("hi", "ci_high")):
        assert glued[f"its-pub-{key}"] == f"{PUBLISHED[target]:.3f}"
    assert glued["its-pub-disp"] == f"{PUBLISHED['dispersion']:.3f}"
