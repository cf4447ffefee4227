"""Keep ``environment.yml`` (Binder, conda) in step with the pinned lock.

The lock ``.ci/requirements.lock`` is the single source of truth. ``environment.yml`` is
generated from it, and a test fails if the two disagree.

Run ``python -m analysis.build.environment --write environment.yml`` after changing the lock.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from analysis import paths

LOCK = paths.ROOT / ".ci" / "requirements.lock"
ENVIRONMENT_YML = paths.ROOT / "environment.yml"
_PIN = re.compile(r"^\s*-?\s*([A-Za-z0-9_.\-]+)==([^\s#]+)")


def read_pins(text: str) -> dict[str, str]:
    """Extract ``name==version`` pins from a requirements or environment file.

    Names are normalised (PEP 503), so ``Jinja2`` and ``jinja2`` compare equal.

    Examples
    --------
    >>> read_pins("numpy==2.0.1\\n# note\\n  - Jinja2==3.1.4\\n")
    {'numpy': '2.0.1', 'jinja2': '3.1.4'}
    """
    pins: dict[str, str] = {}
    for line in text.splitlines():
        match = _PIN.match(line)
        if match:
            name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
            pins[name] = match.group(2)
    return pins


def render_environment(lock_text: str) -> str:
    """Render ``environment.yml`` for repo2docker and conda from the lock's text."""
    lines = [
        "# Generated from .ci/requirements.lock by `make lock`; do not edit by hand.",
        "# Binder (repo2docker) and `conda env create -f environment.yml` install the same",
        "# pins as `make`; tests/test_environment.py fails if this file drifts from the lock.",
        "name: county-reform-compendium",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        "  - python=3.11",
        "  - pip",
        "  - pip:",
    ]
    for raw in lock_text.splitlines():
        if _PIN.match(raw):
            lines.append(f"      - {raw.strip()}")
    # The local package, so chapters can `import analysis` in Binder too.
    lines.append("      - -e .")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write or check ``environment.yml`` against the lock."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", type=Path, help="write the rendered file here")
    args = parser.parse_args(argv)
    rendered = render_environment(LOCK.read_text(encoding="utf-8"))
    if args.write:
        args.write.write_text(rendered, encoding="utf-8")
        return 0
    current = ENVIRONMENT_YML.read_text(encoding="utf-8")
    if read_pins(current) != read_pins(LOCK.read_text(encoding="utf-8")):
        print(
            "environment.yml differs from .ci/requirements.lock: run `make lock`", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
