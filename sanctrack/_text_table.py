"""Terminal tables and key/value blocks: columns fitted to a width, long cells wrapped at word breaks,
URLs and digests never cut.

Pure text layout: knows nothing of measures (the CLI's answers are built from it by
:mod:`sanctrack._format`).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Sequence

__all__ = ["WIDTH", "MIN_WIDTH", "terminal_width", "clip", "wrap", "table", "url_line", "block"]

#: The width tables are laid out for when the output is not a terminal.
WIDTH = 100
#: The smallest width a table is laid out for: a terminal narrower than this still gets 80 columns.
MIN_WIDTH = 80
#: Words never broken across lines: URLs and digests (a reader copies them whole).
_WHOLE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://\S+|sha256:[0-9a-f]+)$", re.IGNORECASE)
_AFTER_HYPHEN = re.compile(r"(?<=[^\W\d_]-)")  # a break after a hyphen that follows a letter (not in dates)


def terminal_width() -> int:
    """The width tables are laid out for: the terminal's (``COLUMNS`` honoured), at least 80.

    When the output is not a terminal (a pipe, a file) and ``COLUMNS`` is not set, the
    width is :data:`WIDTH` (100).
    """
    return max(MIN_WIDTH, shutil.get_terminal_size((WIDTH, 24)).columns)


def clip(text: str, width: int) -> str:
    """Cut text to ``width`` characters, marking a cut with an ellipsis."""
    text = " ".join(str(text).split())
    if len(text) <= width:
        return text
    return text[: max(width - 1, 0)] + "…"


def _pieces(word: str, width: int) -> list[str]:
    """A word too long for ``width`` in pieces: after hyphens where it has them, else cut; a URL or digest whole."""
    if len(word) <= width or _WHOLE.match(word):
        return [word]
    parts = [p for p in _AFTER_HYPHEN.split(word) if p]
    out: list[str] = []
    for part in parts:
        while len(part) > width:
            out.append(part[:width])
            part = part[width:]
        if out and len(out[-1]) + len(part) <= width and out[-1].endswith("-"):
            out[-1] += part
        elif part:
            out.append(part)
    return out


def wrap(text: str, width: int) -> list[str]:
    """Text in lines no wider than ``width``: broken at spaces, then hyphens; a URL is never broken.

    A URL longer than ``width`` stays whole on a line of its own (that line is wider than
    ``width``): a URL must stay one string a reader can copy.
    """
    return _wrap(" ".join(str(text).split()), width)


def _wrap(text: str, width: int) -> list[str]:
    """:func:`wrap` of a text whose white space is already single spaces."""
    if len(text) <= width:
        return [text]
    words = text.split(" ")
    lines: list[str] = []
    line = ""
    for word in words:
        for n, piece in enumerate(_pieces(word, max(width, 1))):
            if not line:
                line = piece
            elif n == 0 and len(line) + 1 + len(piece) <= width:
                line += " " + piece
            else:  # a word that does not fit, or the next piece of a broken word: a new line
                lines.append(line)
                line = piece
    lines.append(line)
    return lines


def _min_width(texts: Sequence[str], floor: int, *, whole_words: bool) -> int:
    """The narrowest a column may get: ``floor``, its longest URL or digest (never broken) and, with
    ``whole_words``, its longest word (an id counts its parts between hyphens)."""
    words = [w for t in texts for w in t.split(" ")]
    out = max([floor] + [len(w) for w in words if _WHOLE.match(w)])
    if whole_words:
        out = max([out] + [len(p) for w in words for p in _AFTER_HYPHEN.split(w)])
    return out


_SAMPLE = 200


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, flex: Sequence[int] = (),
          width: int | None = None, keep: Sequence[int] = ()) -> str:
    """A plain-text table no wider than ``width`` (default: :func:`terminal_width`).

    Nothing is cut: when the natural widths do not fit, the ``flex`` columns get
    narrower and their cells wrap onto continuation lines (at spaces, then after
    hyphens). Each step narrows the column that adds the fewest lines to the
    table; the ``keep`` columns (ids) only when no other column can give way.
    Words are kept whole as long as that fits, then broken. A URL is never broken: a
    column holding one is at least as wide as it, so a table with a URL longer
    than the width runs past it.
    """
    width = terminal_width() if width is None else width
    cells = [[" ".join(str(c).split()) for c in row] for row in rows]
    heads = [" ".join(str(h).split()) for h in headers]
    table_rows = [heads] + cells
    widths = [max(len(r[i]) for r in table_rows) for i in range(len(heads))]
    gap = 2
    flex = list(flex) or [len(heads) - 1]
    # the line counts are weighed on at most _SAMPLE rows, evenly spread (a long table stays fast)
    sample = table_rows if len(table_rows) <= _SAMPLE else table_rows[::-(-len(table_rows) // _SAMPLE)]
    column = {i: [r[i] for r in sample] for i in flex}
    made: dict[tuple[int, int], list[int]] = {}

    def heights_at(i: int, w: int) -> list[int]:  # the line count of each sampled cell of column i at width w
        hs = made.get((i, w))
        if hs is None:
            hs = made[(i, w)] = [len(_wrap(t, w)) if len(t) > w else 1 for t in column[i]]
        return hs

    heights = {i: heights_at(i, widths[i]) for i in flex}

    def total(i: int, hs: list[int]) -> int:
        """The table's line count (on the sample) with column i's heights hs."""
        return sum(max([h] + [heights[j][n] for j in flex if j != i]) for n, h in enumerate(hs))

    whole = {i: _min_width(column[i], 12 if i in keep else 10, whole_words=True) for i in flex}
    broken = {i: _min_width(column[i], 6, whole_words=False) for i in flex}
    soft = [i for i in flex if i not in keep]
    for floor, pools in ((whole, (soft, flex)), (broken, (soft, flex))):
        for pool_of in pools:
            while sum(widths) + gap * (len(widths) - 1) > width:
                best = None
                for i in (j for j in pool_of if widths[j] > floor[j]):
                    hs = heights_at(i, widths[i] - 1)
                    key = (total(i, hs), i in keep, -widths[i])
                    if best is None or key < best[0]:
                        best = (key, i, hs)
                if best is None:
                    break
                _, i, heights[i] = best
                widths[i] -= 1
    lines = []
    for row in table_rows:
        wrapped = [[c] if len(c) <= w else _wrap(c, w) for c, w in zip(row, widths)]
        for k in range(max(len(w) for w in wrapped)):
            parts = [(w[k] if k < len(w) else "").ljust(n) for w, n in zip(wrapped, widths)]
            lines.append((" " * gap).join(parts).rstrip())
    return "\n".join(lines) + "\n"


def url_line(label: str, url: str, *, indent: int = 2, width: int | None = None) -> str:
    """``label url`` on one line when it fits ``width``; else the label (wrapped), then the whole URL on a
    line of its own, indented (wider than ``width`` if the URL is: a URL is never cut)."""
    width = terminal_width() if width is None else width
    pad = " " * indent
    label = " ".join(label.split())
    one = f"{pad}{label} {url}"
    if len(one) <= width:
        return one + "\n"
    head = "".join(f"{pad}{line}\n" for line in wrap(label, width - indent))
    return head + f"{pad}  {url}\n"


def block(pairs: Sequence[tuple[str, str]], width: int | None = None) -> str:
    """Key/value lines (``key  value``), wrapped to ``width`` (default: :func:`terminal_width`); URLs kept whole."""
    width = terminal_width() if width is None else width
    kw = max(len(k) for k, _ in pairs)
    out = []
    for k, v in pairs:
        lines = wrap(v, width - kw - 2)
        if len(lines[0]) > width - kw - 2:  # a URL or digest too long beside its key: on its own lines
            out.append(f"{k}\n")
            out.extend(f"  {line}\n" for line in wrap(v, width - 2))
            continue
        out.append(f"{k.ljust(kw)}  {lines[0]}".rstrip() + "\n")
        out.extend(f"{'':{kw}}  {line}\n" for line in lines[1:])
    return "".join(out)
