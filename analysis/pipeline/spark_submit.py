"""Driver script for ``spark-submit``: the ``series`` command on the Spark engine.

The master, executors and memory come from ``spark-submit``; the remaining arguments are
those of ``python -m analysis series``. Example (see the appendix "Using your own county's
data" for the full runbook)::

    spark-submit --master yarn --deploy-mode client analysis/pipeline/spark_submit.py \\
        --records hdfs:///claims/settlements/2024/ --out series_2024.csv \\
        --quarantine hdfs:///claims/quarantine/2024.parquet

The job uses Spark SQL only (no Python functions run on executors), so only the driver
needs this package and its dependencies.
"""

from __future__ import annotations

import sys

from analysis.cli import main

if __name__ == "__main__":
    sys.exit(main(["series", "--engine", "spark", "--spark-master", "none", *sys.argv[1:]]))
