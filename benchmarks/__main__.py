"""``python -m benchmarks [--only book,its,...]``: see :mod:`benchmarks.run`."""

import sys

from benchmarks.run import main

sys.exit(main())
