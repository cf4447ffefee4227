"""Callaway-Sant'Anna estimates against R ``did``'s published results and a second implementation.

Reference numbers
-----------------
R package ``did`` (Callaway & Sant'Anna), README "A short example", generated from
README.Rmd of github.com/bcallaway11/did (devel version 2.5.0): ``att_gt(yname = "lemp",
gname = "first.treat", idname = "countyreal", tname = "year", xformla = ~1, data = mpdta,
est_method = "reg")`` with the default never-treated control group and varying base period,
then ``aggte(out, type = "dynamic")`` and ``aggte(out, type = "group")``. Printed values are
rounded to four decimals (the overall group ATT to three). The simple aggregation is reported
in the package's "Getting Started with the did Package" vignette (did-basics).
Published standard errors come from R's multiplier bootstrap (random), so SEs are compared
loosely; point estimates are compared at the printed precision. The printed values are typed
once, with these citations, in the validation registry (``data/published/``,
sources ``did_readme`` and ``did_vignette``, check ids ``cs-mpdta-*``) and read from there.

The data are the package's own ``mpdta`` (500 counties, 2003-2007), read offline from the copy
vendored in the ``moderndid`` wheel (``moderndid/core/datasets/mpdta_long.pkl.gz``).
"""

from __future__ import annotations

import gzip
import pickle
from importlib.metadata import PackageNotFoundError, distribution

import numpy as np
import pandas as pd
import pytest

from analysis.did.panel import PanelError, prepare_panel
from analysis.did.simulate import simulate_staggered
from analysis.did.staggered import callaway_santanna
from analysis.published.registry import published_targets, published_value

# (group, time): (ATT(g,t), bootstrap SE) from the did README (check ids cs-mpdta-att-*).
_README = published_targets("cs_mpdta", "did_readme")
PUBLISHED_ATT_GT = {
    (int(g), int(t)): (att, _README[f"se:{g}:{t}"])
    for cell, att in published_targets("cs_mpdta", "did_readme", "att:").items()
    for g, t in [cell.split(":")]
}
PUBLISHED_DYNAMIC = {
    int(e): value for e, value in published_targets("cs_mpdta", "did_readme", "dynamic:").items()
}
PUBLISHED_DYNAMIC_OVERALL = (_README["dynamic_overall"], _README["dynamic_overall_se"])
PUBLISHED_GROUP = {
    int(g): value for g, value in published_targets("cs_mpdta", "did_readme", "group:").items()
}
PUBLISHED_GROUP_OVERALL = (_README["group_overall"], _README["group_overall_se"])
PUBLISHED_SIMPLE = published_value("cs-mpdta-simple")  # the did-basics vignette


def load_mpdta() -> pd.DataFrame:
    """Return R did's mpdta from the moderndid wheel without importing moderndid."""
    try:
        path = distribution("moderndid").locate_file("moderndid/core/datasets/mpdta_long.pkl.gz")
    except PackageNotFoundError:
        pytest.fail(
            "moderndid==0.2.0 (which vendors R did's mpdta) must be installed: it is "
            "the offline source of the reference data"
        )
    with gzip.open(path, "rb") as handle:
        frame = pickle.load(handle)
    return pd.DataFrame(frame)


@pytest.fixture(scope="module")
def mpdta() -> pd.DataFrame:
    frame = load_mpdta()
    assert frame.shape == (2500, 6)
    return frame


@pytest.fixture(scope="module")
def mpdta_cs(mpdta):
    panel = prepare_panel(
        mpdta, unit="countyreal", time="year", outcome="lemp", first_treated="first.treat"
    )
    return callaway_santanna(panel, comparison="never")


def test_group_time_atts_reproduce_published_values(mpdta_cs):
    table = mpdta_cs.group_time.set_index(["group", "time"])
    assert len(table) == len(PUBLISHED_ATT_GT)
    for (g, t), (att, se) in PUBLISHED_ATT_GT.items():
        assert table.loc[(g, t), "estimate"] == pytest.approx(att, abs=5e-5), (g, t)
        # R's SEs are from a random multiplier bootstrap; analytic ones agree within ~10 %.
        assert table.loc[(g, t), "se"] == pytest.approx(se, rel=0.12), (g, t)


def test_aggregations_reproduce_published_values(mpdta_cs):
    dynamic = mpdta_cs.dynamic.set_index("rel_time")["estimate"]
    for e, value in PUBLISHED_DYNAMIC.items():
        assert dynamic[e] == pytest.approx(value, abs=5e-5), e
    assert mpdta_cs.dynamic_overall.estimate == pytest.approx(
        PUBLISHED_DYNAMIC_OVERALL[0], abs=5e-5
    )
    assert mpdta_cs.dynamic_overall.se == pytest.approx(PUBLISHED_DYNAMIC_OVERALL[1], rel=0.1)
    group = mpdta_cs.group.set_index("group")["estimate"]
    for g, value in PUBLISHED_GROUP.items():
        assert group[g] == pytest.approx(value, abs=5e-5), g
    assert mpdta_cs.group_overall.estimate == pytest.approx(PUBLISHED_GROUP_OVERALL[0], abs=5e-4)
    assert mpdta_cs.simple.estimate == pytest.approx(PUBLISHED_SIMPLE, abs=5e-3)


def test_simple_aggregation_is_group_size_weighted_mean_of_published_cells(mpdta, mpdta_cs):
    sizes = mpdta.drop_duplicates("countyreal")["first.treat"].value_counts()
    cells = [(g, t) for (g, t) in PUBLISHED_ATT_GT if t >= g]
    weights = np.array([sizes[g] for g, _ in cells], dtype=float)
    implied = float(np.average([PUBLISHED_ATT_GT[c][0] for c in cells], weights=weights))
    assert mpdta_cs.simple.estimate == pytest.approx(implied, abs=1e-4)


def manual_att_gt(frame: pd.DataFrame, control: str) -> pd.DataFrame:
    """Second implementation: unconditional CS by group means (varying base period)."""
    wide = frame.pivot(index="unit", columns="time", values="y")
    g = frame.drop_duplicates("unit").set_index("unit")["first_treated"].reindex(wide.index)
    times = list(wide.columns)
    rows = []
    for group in sorted(g[g > 0].unique()):
        for t in times[1:]:
            base = group - 1 if t >= group else times[times.index(t) - 1]
            change = wide[t] - wide[base]
            if control == "never":
                comparison = g == 0
            else:
                comparison = (g == 0) | ((g > max(t, base)) & (g != group))
            treated = g == group
            att = change[treated].mean() - change[comparison].mean()
            se = np.sqrt(
                change[treated].var(ddof=0) / treated.sum()
                + change[comparison].var(ddof=0) / comparison.sum()
            )
            rows.append({"group": group, "time": t, "att": att, "se": se})
    return pd.DataFrame(rows).set_index(["group", "time"])


@pytest.mark.parametrize("comparison", ["never", "notyet"])
def test_group_time_atts_match_manual_group_means(comparison):
    frame = simulate_staggered(n_units=150, n_periods=6, cohorts=(2, 4), shape="dynamic", seed=21)
    panel = prepare_panel(
        frame, unit="unit", time="time", outcome="y", first_treated="first_treated"
    )
    ours = callaway_santanna(panel, comparison=comparison).group_time.set_index(["group", "time"])
    manual = manual_att_gt(frame, comparison)
    assert len(ours) == len(manual)
    for key, row in manual.iterrows():
        assert ours.loc[key, "estimate"] == pytest.approx(row["att"], abs=1e-10), key
        assert ours.loc[key, "se"] == pytest.approx(row["se"], rel=1e-6), key


def test_point_estimates_match_csdid(mpdta, mpdta_cs, capsys):
    from csdid.att_gt import ATTgt

    fit = ATTgt(
        yname="lemp",
        gname="first.treat",
        idname="countyreal",
        tname="year",
        xformla=None,
        data=mpdta,
    ).fit(est_method="reg")
    capsys.readouterr()
    theirs = fit.results
    ours = mpdta_cs.group_time.set_index(["group", "time"])["estimate"]
    for g, t, att in zip(theirs["group"], theirs["year"], theirs["att"]):
        assert ours[(int(g), int(t))] == pytest.approx(att, abs=1e-8)


def test_notyet_control_uses_later_adopters(mpdta):
    panel = prepare_panel(
        mpdta, unit="countyreal", time="year", outcome="lemp", first_treated="first.treat"
    )
    never = callaway_santanna(panel, comparison="never").group_time.set_index(["group", "time"])
    notyet = callaway_santanna(panel, comparison="notyet").group_time.set_index(["group", "time"])
    # In 2007 every other group is treated, so the comparison is the never-treated in both.
    assert notyet.loc[(2004, 2007), "estimate"] == pytest.approx(
        never.loc[(2004, 2007), "estimate"]
    )
    assert notyet.loc[(2004, 2004), "estimate"] != pytest.approx(
        never.loc[(2004, 2004), "estimate"]
    )


def test_never_control_needs_never_treated_units():
    frame = simulate_staggered(n_units=60, n_periods=6, cohorts=(2, 4), never_share=0.0, seed=2)
    panel = prepare_panel(
        frame, unit="unit", time="time", outcome="y", first_treated="first_treated"
    )
    with pytest.raises(PanelError, match="notyet"):
        callaway_santanna(panel, comparison="never")
    # Without never-treated units the last cohort is the comparison (as in R's did).
    with pytest.warns(UserWarning, match="No never treated"):
        result = callaway_santanna(panel, comparison="notyet")
    assert set(result.group_time["group"]) == {2012}  # 2014, the last cohort, is the control
    assert len(result.group_time) > 0
