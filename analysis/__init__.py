"""Executable research compendium on China's county health-insurance and primary-care reforms.

The package holds every piece of logic the book uses; chapters in ``book/`` only call it.
See the README's architecture map for where each estimator and dataset lives.
"""

__version__ = "0.1.0"
