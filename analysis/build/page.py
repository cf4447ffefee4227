"""Re-execute one chapter and rebuild the site incrementally: ``make page PAGE=book/...md``.

An incremental build (``make book``) already re-executes only the pages whose code or
recorded inputs changed and serves the rest from the execution cache. This command
additionally drops the named page's cache record, so that page executes afresh even when
nothing it depends on changed (for example to refresh a timing).
"""

from __future__ import annotations

import sys
from pathlib import Path

from analysis import paths

CACHE = paths.BUILD / ".jupyter_cache"


def drop_cached_execution(page: Path, cache_path: Path = CACHE) -> int:
    """Remove the execution-cache records of ``page``; return how many were removed.

    Parameters
    ----------
    page
        Chapter source, e.g. ``book/evidence/its_qianjiang.md``.
    cache_path
        The jupyter-cache folder of the build.
    """
    if not cache_path.exists():
        return 0
    from jupyter_cache import get_cache

    cache = get_cache(str(cache_path))
    target = str(page.resolve())
    removed = 0
    for record in cache.list_cache_records():
        if record.uri == target:
            cache.remove_cache(record.pk)
            removed += 1
    return removed


def main(argv: list[str] | None = None) -> int:
    """Drop the page's cache record, mark it changed, and run an incremental strict build."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or not Path(args[0]).is_file():
        print("usage: make page PAGE=book/<chapter>.md", file=sys.stderr)
        return 2
    page = Path(args[0])
    drop_cached_execution(page)
    page.touch()  # Sphinx re-reads a page only when its source is newer than the last read
    from analysis.build.book import build

    return build(paths.ROOT)


if __name__ == "__main__":
    sys.exit(main())
