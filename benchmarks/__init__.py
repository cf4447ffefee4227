"""``make bench``: wall times and speed ratios of the book build and the engines.

One module per area (``book``, ``its``, ``did``, ``pipeline``, ``validation``, ``browser``),
each with ``run() -> dict`` of human-readable metric names to figures; :mod:`benchmarks.run`
prints them. Benchmarks are not tests (pytest does not collect this folder) and no book
page reads them, so editing one re-executes nothing.
"""
