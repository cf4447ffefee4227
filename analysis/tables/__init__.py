"""The input layer: every table a user or the book hands us enters here, and only here.

One front door for ``validate``, ``series``, ``panel``, ``its``, ``did``, ``report`` and the
Python API. Each rule is written once:

- :mod:`~analysis.tables.reading`: encodings, formats, title and header rows, sheets;
- :mod:`~analysis.tables.frame`: the typed table (text cells to numbers, row numbers kept);
- :mod:`~analysis.tables.mapping`: header and label maps;
- :mod:`~analysis.tables.identity`: codes and keys (one county is one unit);
- :mod:`~analysis.tables.numbers`: the one rule for a numeric cell (wrappers, separators,
  currency, percent);
- :mod:`~analysis.tables.units`: money units (元, 千元, 万元) carried with a column;
- :mod:`~analysis.tables.checks`: meaning checks shared by every command (share scales, total
  units, unit codes);
- :mod:`~analysis.tables.timelabels`: time as users write it;
- :mod:`~analysis.tables.files`: finding input files and protecting outputs;
- :mod:`~analysis.tables.problems`: located problems of a file.

The package imports only the bottom modules (:mod:`analysis.errors`, :mod:`analysis.estimates`,
:mod:`analysis.paths`); every engine and command imports it, never the reverse.
"""
