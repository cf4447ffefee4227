"""Deterministic figure files: the same drawing gives the same bytes on every build.

Matplotlib writes a creation date into SVG and PDF files and a version string into PNG,
SVG and PDF files. Dates make two builds differ; version strings make figure bytes (and the
content-hashed names Jupyter Book gives them) change with a patch upgrade. This module
passes per-format ``metadata`` that removes them, and reads PNG text chunks (the site tests
check that built figures carry none). The SVG hash salt and fonts are fixed by
:func:`analysis.plotting.style.use_book_style`; randomness is seeded in each chapter.

PNG chunks are parsed by hand with :mod:`struct` (the format is a fixed 8-byte signature
then length/type/data/CRC records), without decoding the pixels.

Examples
--------
>>> import io
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import matplotlib.pyplot as plt
>>> fig, ax = plt.subplots(figsize=(2, 1))
>>> _ = ax.plot([0, 1], [1, 0])
>>> buffer = io.BytesIO()
>>> fig.savefig(buffer, format="png")
>>> sorted(png_text_chunks(buffer.getvalue()))
['Software']
>>> buffer = io.BytesIO()
>>> save_figure(fig, buffer, format="png")
>>> png_text_chunks(buffer.getvalue())
{}
>>> plt.close(fig)
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import IO, Any, Literal

FigureFormat = Literal["png", "svg", "pdf", "ps", "eps"]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Ancillary chunks that describe the file rather than the picture.
PNG_METADATA_CHUNKS = frozenset({b"tEXt", b"zTXt", b"iTXt", b"tIME"})

# ``None`` tells matplotlib to omit a key it would otherwise fill in.
METADATA: dict[str, dict[str, Any]] = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None},
    "ps": {"CreationDate": None, "Creator": None},
    "eps": {"CreationDate": None, "Creator": None},
}


def deterministic_metadata(fmt: str) -> dict[str, Any]:
    """Return the ``metadata`` argument for ``savefig`` that removes volatile fields.

    Parameters
    ----------
    fmt
        Output format, e.g. ``"png"`` or ``"svg"``.

    Returns
    -------
    dict
        A fresh dictionary (safe to modify).

    Raises
    ------
    ValueError
        For a format whose metadata is not handled.

    Examples
    --------
    >>> deterministic_metadata("svg")
    {'Date': None, 'Creator': None}
    >>> deterministic_metadata("gif")
    Traceback (most recent call last):
    ...
    ValueError: no deterministic metadata known for format 'gif'
    """
    key = fmt.lower()
    if key not in METADATA:
        raise ValueError(f"no deterministic metadata known for format {fmt!r}")
    return dict(METADATA[key])


def save_figure(
    fig: Any, target: str | Path | IO[bytes], format: str | None = None, **savefig_kwargs: Any
) -> None:
    """Save ``fig`` without dates or version strings, so rebuilds write identical bytes.

    Parameters
    ----------
    fig
        A matplotlib figure.
    target
        File path or binary file object.
    format
        Output format; inferred from the path suffix when omitted.
    **savefig_kwargs
        Passed on to :meth:`matplotlib.figure.Figure.savefig`; an explicit ``metadata``
        is merged over the deterministic defaults.
    """
    fmt = format or (Path(target).suffix.lstrip(".") if isinstance(target, (str, Path)) else "png")
    metadata = {**deterministic_metadata(fmt), **savefig_kwargs.pop("metadata", {})}
    fig.savefig(target, format=fmt, metadata=metadata, **savefig_kwargs)


def _png_chunks(data: bytes) -> list[tuple[bytes, bytes, bytes]]:
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG file")
    chunks = []
    position = len(PNG_SIGNATURE)
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        crc = data[position + 8 + length : position + 12 + length]
        chunks.append((kind, body, crc))
        position += 12 + length
        if kind == b"IEND":
            break
    return chunks


def png_text_chunks(data: bytes) -> dict[str, str]:
    """Return the text metadata (``tEXt``/``zTXt``/``iTXt``) and ``tIME`` of a PNG.

    Parameters
    ----------
    data
        PNG file bytes.

    Returns
    -------
    dict
        Keyword to text (``tIME`` appears as ``"tIME"`` with its raw bytes in hex).
    """
    found: dict[str, str] = {}
    for kind, body, _ in _png_chunks(data):
        if kind == b"tIME":
            found["tIME"] = body.hex()
        elif kind in PNG_METADATA_CHUNKS:
            keyword, _, rest = body.partition(b"\0")
            if kind == b"zTXt":
                rest = zlib.decompress(rest[1:])
            found[keyword.decode("latin-1")] = rest.decode("utf-8", errors="replace")
    return found


#: CSS pixels per inch: a browser shows a 1-inch-wide figure 96 px wide.
CSS_PX_PER_IN = 96


def png_pixel_size(data: bytes) -> tuple[int, int]:
    """Width and height in pixels, read from a PNG's ``IHDR`` chunk."""
    kind, body, _ = _png_chunks(data)[0]
    if kind != b"IHDR":
        raise ValueError("PNG without IHDR first")
    width, height = struct.unpack(">II", body[:8])
    return width, height


def is_sharp(bundle: dict[str, Any], width_in: float) -> bool:
    """Whether a displayed figure stays sharp on a high-density screen: SVG, or PNG at 2x.

    Parameters
    ----------
    bundle
        A display mime bundle (``{"image/svg+xml": ..., "image/png": ...}``).
    width_in
        The figure's width in inches.

    Examples
    --------
    >>> is_sharp({"image/svg+xml": "<svg/>"}, 9.0)
    True
    """
    if "image/svg+xml" in bundle:
        return True
    data = bundle.get("image/png")
    if data is None:
        return False
    if isinstance(data, str):
        import base64

        data = base64.b64decode(data)
    width_px, _ = png_pixel_size(data)
    return width_px >= 2 * CSS_PX_PER_IN * width_in


IMAGE_SUFFIXES = frozenset(
    {
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".svg",
        ".pdf",
        ".webp",
        ".bmp",
        ".tif",
        ".tiff",
        ".eps",
        ".ico",
    }
)


def image_files(folder: Path) -> dict[str, bytes]:
    """Read every image file under ``folder``, keyed by its path relative to ``folder``.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> _ = (root / "a.png").write_bytes(b"x")
    >>> _ = (root / "notes.txt").write_text("y")
    >>> sorted(image_files(root))
    ['a.png']
    """
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES
    }
