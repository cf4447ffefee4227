"""Settlement records to monthly share series: DuckDB by default, Spark at national scale.

Modules:

- :mod:`~analysis.pipeline.schema`: the input schema, accepted labels, quarantine reasons;
- :mod:`~analysis.pipeline.query`: the checks and aggregation as SQL shared by both engines;
- :mod:`~analysis.pipeline.engines`: DuckDB (default) and Spark execution;
- :mod:`~analysis.pipeline.series`: :func:`build_series`, the public entry point, and
  :class:`SeriesSpec`, every option of a run (the ``series`` command's flags);
- :mod:`~analysis.pipeline.records`: synthetic settlement records that reproduce a series;
- :mod:`~analysis.pipeline.cli`: ``python -m analysis series``;
- :mod:`~analysis.pipeline.benchmark` and :mod:`~analysis.pipeline.sizing`: speed, memory and
  the on-paper Spark cluster size.
"""

from __future__ import annotations

from analysis.pipeline.inputs import InputError
from analysis.pipeline.series import PipelineError, SeriesRun, SeriesSpec, build_series

__all__ = ["InputError", "PipelineError", "SeriesRun", "SeriesSpec", "build_series"]
