"""Split an integer total into integer parts that sum to it exactly.

Later steps (settlement records, the pipeline) re-aggregate the monthly counts, so annual sums
must be exact integers, not rounded floats. Largest-remainder (Hamilton) apportionment gives
parts within one unit of the proportional share and an exact total.

Examples
--------
>>> allocate(10, [1, 1, 1]).tolist()
[4, 3, 3]
>>> int(allocate(1_000_003, [0.2, 0.3, 0.5]).sum())
1000003
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def allocate(total: int, weights: Sequence[float] | np.ndarray) -> np.ndarray:
    """Apportion ``total`` in proportion to ``weights`` with integer parts.

    Parameters
    ----------
    total
        Non-negative integer to split.
    weights
        Non-negative weights, at least one positive.

    Returns
    -------
    numpy.ndarray
        ``int64`` parts, summing to ``total``. Ties in the remainders go to the earlier part,
        so the result is deterministic.
    """
    w = np.asarray(weights, dtype=float)
    if total < 0 or (w < 0).any() or w.sum() <= 0:
        raise ValueError("allocate needs total >= 0 and non-negative weights with a positive sum")
    exact = total * w / w.sum()
    parts = np.floor(exact).astype(np.int64)
    short = int(total - parts.sum())
    order = np.argsort(-(exact - parts), kind="stable")
    parts[order[:short]] += 1
    return parts
