"""Appendix: running the settlement pipeline on a Spark cluster, and how big a cluster
(``book/appendix/spark_sizing.md``; moved out of the own-county chapter).

The estimate is on paper, from the stated assumptions of :mod:`analysis.pipeline.sizing`; the
command is the one :func:`analysis.pipeline.sizing.spark_submit_command` writes for it.

Examples
--------
>>> values = numbers()
>>> values["spark-plan-cores"] == values["spark-plan-executors"] * values[
...     "spark-plan-executor-cores"]
True
>>> spark_command().split()[0]
'spark-submit'
"""

from __future__ import annotations

from functools import cache
from typing import Any

from analysis.pipeline.sizing import (
    OVERHEAD,
    PARQUET_BYTES_PER_RECORD,
    ROWS_PER_CORE_SECOND,
    ClusterPlan,
    spark_cluster_estimate,
    spark_submit_command,
)

#: Example paths of the cluster command.
SPARK_PATHS: tuple[str, str, str] = (
    "hdfs:///claims/settlements/2024/",
    "series_2024.csv",
    "hdfs:///claims/quarantine/2024.parquet",
)


@cache
def plan() -> ClusterPlan:
    """The cluster estimate for a national extract."""
    return spark_cluster_estimate()


def numbers() -> dict[str, Any]:
    """Every number the page glues."""
    estimate = plan()
    return {
        "spark-plan-records": f"{estimate.records / 1e9:g} billion",
        "spark-plan-hours": f"{estimate.target_hours:g}",
        "spark-plan-rate": f"{ROWS_PER_CORE_SECOND:,}",
        "spark-plan-overhead": f"{OVERHEAD:g}",
        "spark-plan-core-hours": f"{estimate.core_hours:.0f}",
        "spark-plan-cores": estimate.cores,
        "spark-plan-executors": estimate.executors,
        "spark-plan-executor-memory": estimate.executor_memory_gib,
        "spark-plan-executor-cores": estimate.cores // estimate.executors,
        "spark-plan-input-gib": f"{estimate.input_gib:,.0f}",
        "spark-plan-bytes": PARQUET_BYTES_PER_RECORD,
        "spark-plan-shuffle-gib": f"{estimate.shuffle_gib:,.0f}",
        "spark-plan-partitions": f"{estimate.shuffle_partitions:,}",
    }


def spark_command() -> str:
    """The ``spark-submit`` command sized by the estimate."""
    return spark_submit_command(plan(), *SPARK_PATHS)
