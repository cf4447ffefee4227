"""Build machinery: the parallel strict build, per-page input recording, Sphinx extensions
(input fingerprints, offline assets, data download notes), environment sync and ``make page``."""
