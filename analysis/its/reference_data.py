"""Published ITS example data: the Sicily smoking-ban series (Lopez Bernal et al. 2017).

Source: J. Lopez Bernal, S. Cummins, A. Gasparrini, "Interrupted time series regression for
the evaluation of public health interventions: a tutorial", *International Journal of
Epidemiology* 46(1):348–355 (2017), doi:10.1093/ije/dyw098, with its corrigendum, *Int J
Epidemiol* 49(4):1414 (2020). The 59 monthly rows (January 2002 – November 2006) are the
``sicily.csv`` file the authors publish with the paper's code (repository
``gasparrini/2017_lopezbernal_IJE_codedata``), reproduced here verbatim as public data so that
tests and the book run offline. Columns: ``aces`` = acute coronary events in Sicily among
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

import io

import pandas as pd

SOURCE = ("Lopez Bernal J, Cummins S, Gasparrini A. Interrupted time series regression for the "
          "evaluation of public health interventions: a tutorial. Int J Epidemiol. "
          "2017;46(1):348-355. doi:10.1093/ije/dyw098 (corrigendum 2020;49(4):1414); data file "
          "sicily.csv published with the authors' code.")

#: The published rate ratio of the smoking ban in the tutorial's model with seasonality
#: (quasi-Poisson, step change, linear trend, two harmonic pairs over 12 months, offset
#: log(stdpop)), to the three decimals printed, with its dispersion and yearly trend.
PUBLISHED_MODEL3: dict[str, float] = {"rate_ratio": 0.885, "ci_low": 0.839, "ci_high": 0.933,
                                      "dispersion": 2.262, "trend_per_year": 1.067}

_SICILY_CSV = """\
year,month,aces,time,smokban,pop,stdpop
2002,1,728,1,0,364277.4,379875.3
2002,2,659,2,0,364277.4,376495.5
2002,3,791,3,0,364277.4,377040.8
2002,4,734,4,0,364277.4,377116.4
2002,5,757,5,0,364277.4,377383.4
2002,6,726,6,0,364277.4,374113.1
2002,7,760,7,0,364277.4,379513.3
2002,8,740,8,0,364277.4,376295.5
2002,9,720,9,0,364277.4,374653.2
2002,10,814,10,0,364277.4,378485.6
2002,11,795,11,0,364277.4,375955.5
2002,12,858,12,0,364277.4,378349.7
2003,1,887,13,0,363350.8,376762.4
2003,2,766,14,0,363350.8,379032.3
2003,3,851,15,0,363350.8,379360.4
2003,4,769,16,0,363350.8,376162
2003,5,781,17,0,363350.8,377972.4
2003,6,756,18,0,363350.8,381830.7
2003,7,766,19,0,363350.8,379888.6
2003,8,752,20,0,363350.8,380872.2
2003,9,765,21,0,363350.8,380966.9
2003,10,831,22,0,363350.8,381240.4
2003,11,879,23,0,363350.8,382104.9
2003,12,928,24,0,363350.8,381802.7
2004,1,914,25,0,364700.4,381656.3
2004,2,808,26,0,364700.4,383680
2004,3,937,27,0,364700.4,383504.2
2004,4,840,28,0,364700.4,386462.9
2004,5,916,29,0,364700.4,383783.1
2004,6,828,30,0,364700.4,380836.8
2004,7,845,31,0,364700.4,383483
2004,8,818,32,0,364700.4,380906.2
2004,9,860,33,0,364700.4,382926.8
2004,10,839,34,0,364700.4,384052.4
2004,11,887,35,0,364700.4,384449.6
2004,12,886,36,0,364700.4,383428.4
2005,1,831,37,1,364420.8,388153.2
2005,2,796,38,1,364420.8,388373.2
2005,3,833,39,1,364420.8,386470.1
2005,4,820,40,1,364420.8,386033.2
2005,5,877,41,1,364420.8,383686.4
2005,6,758,42,1,364420.8,385509.3
2005,7,767,43,1,364420.8,385901.9
2005,8,738,44,1,364420.8,386516.6
2005,9,781,45,1,364420.8,388436.5
2005,10,843,46,1,364420.8,383255.2
2005,11,850,47,1,364420.8,390148.7
2005,12,908,48,1,364420.8,385874.9
2006,1,1021,49,1,363832.6,391613.6
2006,2,859,50,1,363832.6,391750.4
2006,3,976,51,1,363832.6,394005.6
2006,4,888,52,1,363832.6,391364.9
2006,5,962,53,1,363832.6,391664.6
2006,6,838,54,1,363832.6,389022.3
2006,7,810,55,1,363832.6,391878.5
2006,8,876,56,1,363832.6,388575.3
2006,9,843,57,1,363832.6,392989
2006,10,936,58,1,363832.6,390018.8
2006,11,912,59,1,363832.6,390712.3
"""


def sicily() -> pd.DataFrame:
    """The Sicily series as a data frame (59 months, 2002-01 to 2006-11).

    Returns
    -------
    pandas.DataFrame
        Columns ``year, month, aces, time, smokban, pop, stdpop``.
    """
    return pd.read_csv(io.StringIO(_SICILY_CSV))
