"""Published ITS example data: the Sicily smoking-ban series (Lopez Bernal et al. 2017).

Source: J. Lopez Bernal, S. Cummins, A. Gasparrini, "Interrupted time series regression for
the evaluation of public health interventions: a tutorial", *International Journal of
Epidemiology* 46(1):348–355 (2017), doi:10.1093/ije/dyw098, with its corrigendum, *Int J
Epidemiol* 49(4):1414 (2020). The 59 monthly rows (January 2002 – November 2006) are the
``sicily.csv`` file the authors publish with the paper's code (repository
``gasparrini/2017_lopezbernal_IJE_codedata``), kept verbatim in ``data/public/sicily_smoking_ban.csv``
with provenance *public*, so that tests and the book run offline. Columns: ``aces`` = acute coronary events in Sicily among
people aged 0–69, ``time`` = month counter, ``smokban`` = 1 from January 2005 (the ban),
``pop`` and ``stdpop`` = population and age-standardised population.

Provenance: *public* (citable source above). Not part of the Qianjiang analysis; it exists to
check the engine against a published result.

Examples
--------
>>> frame = sicily()
>>> frame.shape, int(frame["aces"].sum())
((59, 7), 48914)
>>> int(frame.loc[frame["smokban"] == 1, "time"].min())
37
"""

from __future__ import annotations

import pandas as pd

from analysis import paths

SOURCE = ("Lopez Bernal J, Cummins S, Gasparrini A. Interrupted time series regression for the "
          "evaluation of public health interventions: a tutorial. Int J Epidemiol. "
          "2017;46(1):348-355. doi:10.1093/ije/dyw098 (corrigendum 2020;49(4):1414); data file "
          "sicily.csv published with the authors' code.")

#: The published rate ratio of the smoking ban in the tutorial's model with seasonality
#: (quasi-Poisson, step change, linear trend, two harmonic pairs over 12 months, offset
#: log(stdpop)), to the three decimals printed, with its dispersion and yearly trend.
PUBLISHED_MODEL3: dict[str, float] = {"rate_ratio": 0.885, "ci_low": 0.839, "ci_high": 0.933,
                                      "dispersion": 2.262, "trend_per_year": 1.067}

SICILY_CSV = paths.DATA / "public" / "sicily_smoking_ban.csv"


def sicily() -> pd.DataFrame:
    """The Sicily series as a data frame (59 months, 2002-01 to 2006-11).

    Returns
    -------
    pandas.DataFrame
        Columns ``year, month, aces, time, smokban, pop, stdpop``.
    """
    return pd.read_csv(SICILY_CSV).drop(columns="provenance")
