"""Build machinery: the Sphinx extension that ties execution to inputs, environment sync, benchmarks."""
