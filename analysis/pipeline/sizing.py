"""On-paper sizing of a Spark cluster for a national settlement extract.

Nothing here is measured on a cluster: the function turns stated assumptions into a cluster
size, so the assumptions can be read, argued with and changed. The defaults describe one year
of a national extract (about 10 billion settlements) processed by the pipeline's SQL within an
hour.

The work per record is a scan of nine columns, text parsing and checks, one shuffle of
``record_id`` for the duplicate check and a small aggregation. :data:`ROWS_PER_CORE_SECOND` is
set from measurements: the whole job (checks, series and quarantine file) on 10 million
synthetic records in PySpark local mode (``PIPELINE_BENCH_SPARK=1`` in
:mod:`analysis.pipeline.benchmark`) took 69 to 112 s on 2 cores shared with other work, that
is 45,000 to 73,000 rows per core-second; we take 50,000, near the slower end.
:data:`OVERHEAD` adds half again for what a cluster adds and one machine does not have:
network shuffle, skew, stragglers and retries.
The shuffle moves the record id and a signature-sized row for each record
(:data:`SHUFFLE_BYTES_PER_RECORD`).

Examples
--------
>>> plan = spark_cluster_estimate()
>>> plan.cores, plan.executors
(84, 21)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

RECORDS_PER_YEAR = 10_000_000_000
ROWS_PER_CORE_SECOND = 50_000
OVERHEAD = 1.5
PARQUET_BYTES_PER_RECORD = 40  # nine columns, zstd; our synthetic records take ~13
SHUFFLE_BYTES_PER_RECORD = 40
CORES_PER_EXECUTOR = 4
MEMORY_PER_CORE_GIB = 4
TARGET_PARTITION_MIB = 200


@dataclass(frozen=True)
class ClusterPlan:
    """A cluster size and the settings that go with it.

    Attributes
    ----------
    records
        Records processed in one run.
    target_hours
        Wall-clock budget.
    core_hours
        Estimated CPU time, overhead included.
    cores, executors
        Cores needed within the budget (a multiple of the executor size), and executors.
    executor_memory_gib
        Memory per executor.
    input_gib, shuffle_gib
        Compressed Parquet read, and data shuffled for the duplicate check.
    shuffle_partitions
        Suggested ``spark.sql.shuffle.partitions``.
    """

    records: int
    target_hours: float
    core_hours: float
    cores: int
    executors: int
    executor_memory_gib: int
    input_gib: float
    shuffle_gib: float
    shuffle_partitions: int


def spark_cluster_estimate(
    records: int = RECORDS_PER_YEAR,
    target_hours: float = 1.0,
    rows_per_core_second: float = ROWS_PER_CORE_SECOND,
    overhead: float = OVERHEAD,
    cores_per_executor: int = CORES_PER_EXECUTOR,
) -> ClusterPlan:
    """Estimate the Spark cluster that processes ``records`` within ``target_hours``.

    Parameters
    ----------
    records
        Settlement records in the extract.
    target_hours
        Wall-clock budget for one run.
    rows_per_core_second
        Assumed sustained throughput of the pipeline's SQL per core.
    overhead
        Multiplier for skew, stragglers, retries and the quarantine pass.
    cores_per_executor
        Executor size.

    Returns
    -------
    ClusterPlan

    Examples
    --------
    >>> spark_cluster_estimate(records=10**9, target_hours=2).cores
    8
    """
    core_seconds = records / rows_per_core_second * overhead
    cores_needed = core_seconds / (target_hours * 3600)
    executors = max(1, math.ceil(cores_needed / cores_per_executor))
    shuffle_bytes = records * SHUFFLE_BYTES_PER_RECORD
    partitions = max(1, math.ceil(shuffle_bytes / (TARGET_PARTITION_MIB * 1024**2)))
    return ClusterPlan(
        records=records,
        target_hours=target_hours,
        core_hours=core_seconds / 3600,
        cores=executors * cores_per_executor,
        executors=executors,
        executor_memory_gib=cores_per_executor * MEMORY_PER_CORE_GIB,
        input_gib=records * PARQUET_BYTES_PER_RECORD / 1024**3,
        shuffle_gib=shuffle_bytes / 1024**3,
        shuffle_partitions=partitions,
    )


def spark_submit_command(plan: ClusterPlan, records: str, out: str, quarantine: str) -> str:
    """Return a ``spark-submit`` command line sized by ``plan``.

    Parameters
    ----------
    plan
        From :func:`spark_cluster_estimate`.
    records, out, quarantine
        Input URI, output CSV on the driver, quarantine URI (Parquet).

    Returns
    -------
    str
        A shell command, one option per line.

    Examples
    --------
    >>> print(spark_submit_command(spark_cluster_estimate(), "hdfs:///in", "s.csv",
    ...                            "hdfs:///q.parquet").splitlines()[1].strip())
    --num-executors 21 --executor-cores 4 --executor-memory 16g \\
    """
    partitions = int(math.ceil(plan.shuffle_partitions / 100) * 100)
    lines = [
        "spark-submit --master yarn --deploy-mode client",
        (
            f"  --num-executors {plan.executors} --executor-cores {plan.cores // plan.executors}"
            f" --executor-memory {plan.executor_memory_gib}g"
        ),
        f"  --conf spark.sql.shuffle.partitions={partitions}",
        "  --conf spark.sql.adaptive.enabled=true",
        "  --conf spark.sql.session.timeZone=Asia/Shanghai",
        "  analysis/pipeline/spark_submit.py",
        f"  --records {records} --out {out}",
        f"  --quarantine {quarantine}",
    ]
    return " \\\n".join(lines)
