"""Published results the engines reproduce, behind the book's validation appendix.

:mod:`.registry` holds the checks: each number a publication or a reference package printed,
read from ``data/published/`` (declared in :mod:`analysis.registry`), with its tolerance and
the comparison with ours; ``python -m analysis.published.registry`` prints every check.
:mod:`.fits` computes our side: one engine call per fit, run the way the publication ran its
software.
"""
