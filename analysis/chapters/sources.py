"""Cached reads that several chapter modules share: the claims table and the crosswalk.

Examples
--------
>>> claims() is claims()
True
>>> sorted(crosswalk().lenses["lens_id"])[:1]
['coproduction_g_county']
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from analysis import frameworks as fw
from analysis.datasets import load_data


@cache
def claims() -> pd.DataFrame:
    """The claims table as loaded (one row per claim); callers must not modify it."""
    return load_data("claims").frame


@cache
def crosswalk() -> fw.Crosswalk:
    """The framework crosswalk: lenses, mechanisms and hypotheses from the registry."""
    return fw.load_crosswalk(
        load_data("lenses").frame, load_data("mechanisms").frame, load_data("hypotheses").frame
    )
