"""Command-line interface: ``python -m analysis <command> ...``.

Each command lives in its own module, which exposes ``configure(parser)`` and
``run(args) -> int``. Modules are imported only when their command runs, so
``python -m analysis validate`` does not pay for importing Spark or statsmodels.

Every command shares the exit codes of :mod:`analysis.errors`: 0 done, 1 input refused (one
``error:`` line naming file, row and column), 2 usage error (including no or an unknown
command).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from analysis.errors import EXIT_USAGE

COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("analysis.validation.cli", "validate data files against their schemas"),
    "its": ("analysis.its.cli", "interrupted time series on a CSV"),
    "did": ("analysis.did.cli", "difference-in-differences on a panel CSV"),
    "series": ("analysis.pipeline.cli", "settlement records -> monthly share series"),
    "panel": ("analysis.pipeline.panel_cli", "monthly county series + reform dates -> DiD panel"),
    "report": ("analysis.report.cli", "a county's series -> bilingual HTML report (+ .xlsx)"),
}


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level parser, used for ``--help`` and usage errors.

    Returns
    -------
    argparse.ArgumentParser
        Parser whose ``command`` attribute names the chosen sub-command.
    """
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (_, help_text) in COMMANDS.items():
        subparsers.add_parser(name, help=help_text, description=help_text)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the process exit code.

    Parameters
    ----------
    argv
        Arguments without the program name; ``sys.argv[1:]`` when ``None``.

    Returns
    -------
    int
        0 done, 1 input refused, 2 usage error (no or unknown command, bad options).

    Examples
    --------
    >>> main(["no-such-command"])
    2
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if not argv or argv[0] not in COMMANDS:
            build_parser().parse_args(argv)  # prints usage (or --help) and exits
            return EXIT_USAGE
        name = argv[0]
        module = importlib.import_module(COMMANDS[name][0])
        parser = argparse.ArgumentParser(
            prog=f"python -m analysis {name}", description=COMMANDS[name][1]
        )
        module.configure(parser)
        args = parser.parse_args(argv[1:])
    except SystemExit as exit_:  # argparse: 0 after --help, 2 on a usage error
        return EXIT_USAGE if exit_.code is None else int(exit_.code)
    return int(module.run(args))
