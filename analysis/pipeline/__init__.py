"""Settlement records to monthly share series: DuckDB by default, Spark at national scale.

Modules:

- :mod:`~analysis.pipeline.schema`: the input schema, accepted labels, quarantine reasons;
- :mod:`~analysis.tables.mapping`: the header and label maps (shipped TOML defaults in
  ``mappings/`` and the analyst's overrides);
- :mod:`~analysis.pipeline.inputs` and :mod:`~analysis.pipeline.normalise`: finding the files
  and turning bureau exports (any supported format, Chinese headers and labels, Excel dates,
  amounts with 元) into the schema before the SQL;
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
