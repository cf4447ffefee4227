"""Engines that execute the shared SQL of :mod:`analysis.pipeline.query`.

Each engine module provides ``execute(files, quarantine, step, **options) -> EngineOutput``.
Only reading files and materialising the small duplicate table differ between them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

Step = Callable[[str], None]
"""Called with a short label as each stage of a run finishes (drives the progress bar)."""


@dataclass(frozen=True)
class EngineOutput:
    """What an engine hands back to :func:`analysis.pipeline.series.build_series`.

    Attributes
    ----------
    groups
        Result of ``GROUPS_SQL``: one row per (district, month) of good rows and one row per
        quarantine reason.
    rows_read
        Rows in ``settlements_raw``, counted by a separate query.
    rows_written
        Rows written to the quarantine file, or ``None`` when no file was asked for.
    """

    groups: pd.DataFrame
    rows_read: int
    rows_written: int | None


def no_step(label: str) -> None:
    """Progress callback that does nothing.

    Examples
    --------
    >>> no_step("read")
    """
