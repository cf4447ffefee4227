"""Chapter modules: one per book page, named like it; the only library code that knows the book.

``chapters/its_qianjiang.py`` serves ``book/evidence/its_qianjiang.md`` and so on. Each module
exposes ``numbers() -> dict`` (every number its page glues, keyed by the glue label) and one
function per figure. The case itself (the reform month, the COVID-19 window, the share series,
Qianjiang's reported points) is defined once, in :mod:`analysis.chapters.case`.
"""

from analysis.plotting.style import use_book_style

# Every page imports a chapter module before it draws anything, so applying the book's figure
# style here gives every page the same fonts and SVG output, whichever figure it draws first.
use_book_style()
