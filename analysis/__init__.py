"""Executable research compendium on China's county health-insurance and primary-care reforms.

The package holds every piece of logic the book uses; chapters in ``book/`` only call it.
See the README's architecture map for where each estimator and dataset lives.
"""

from importlib import metadata

try:
    __version__ = metadata.version("county-reform-compendium")
except metadata.PackageNotFoundError:  # a source tree used without installing it
    __version__ = "unversioned"
