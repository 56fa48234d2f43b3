"""One self-contained report page per run: ``report.html``.

The page holds everything it shows (charts as base64 PNG, tables as HTML, no
scripts, no links out), so it opens offline in any browser and can be mailed
or attached as one file. Its headline is the first line the command printed;
below it, the printed summary, the charts and the tables.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

import numpy as np
import pandas as pd

from svcsim.files import write_text

_SHARE_WORDS = ("attainment", "target", "service_level", "occupancy", "abandon", "share",
                "rate", "gap")
_STYLE = """
body { font-family: "Segoe UI", "Noto Sans", "Noto Sans CJK SC", "PingFang SC",
       "Microsoft YaHei", sans-serif; margin: 2em auto; max-width: 1100px; color: #222;
       padding: 0 1em; }
h1 { font-size: 1.5em; border-bottom: 3px solid #1f77b4; padding-bottom: .3em; }
h2 { font-size: 1.15em; margin-top: 2em; color: #1f4e79; }
pre { background: #f6f8fa; padding: 1em; overflow-x: auto; font-size: .85em;
      font-family: "Noto Sans Mono CJK SC", "DejaVu Sans Mono", monospace; }
table { border-collapse: collapse; font-size: .85em; margin: .5em 0; display: block;
        overflow-x: auto; max-width: 100%; }
th, td { border: 1px solid #ccc; padding: .25em .6em; text-align: right; }
th { background: #dde5f0; }
td:first-child, th:first-child { text-align: left; }
img { max-width: 100%; border: 1px solid #eee; }
.meta { color: #666; font-size: .85em; }
.lead { background: #eef4fb; border-left: 4px solid #1f77b4; padding: .4em 1em; }
.lead p { margin: .3em 0; }
"""


def _is_share(column: str) -> bool:
    return any(word in column for word in _SHARE_WORDS)


def _cell(value, column: str) -> str:
    if isinstance(value, (float, np.floating)):
        if not np.isfinite(value):
            return ""
        if _is_share(column) and 0 <= value <= 1:
            return f"{100 * value:.1f}%"
        return f"{value:,.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:,.0f}"
    return str(value)


def table_html(table: pd.DataFrame, most_rows: int = 200) -> str:
    """A DataFrame as an HTML table: shares as percents, numbers rounded,
    text escaped; the first ``most_rows`` rows (the CSV has them all)."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in table.columns)
    body = []
    for row in table.head(most_rows).itertuples(index=False):
        cells = "".join(f"<td>{html.escape(_cell(v, str(c)))}</td>"
                        for v, c in zip(row, table.columns, strict=True))
        body.append(f"<tr>{cells}</tr>")
    more = (f"<p class='meta'>First {most_rows} of {len(table)} rows; the CSV has all.</p>"
            if len(table) > most_rows else "")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>{more}"


def image_html(path: Path, alt: str) -> str:
    """A PNG file embedded as a data URI."""
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f"<img alt='{html.escape(alt)}' src='data:image/png;base64,{data}'>"


def report_html(title: str, printed: str, images: list[Path],
                tables: dict[str, pd.DataFrame]) -> str:
    """The page: headline (the printed summary's first line) and the rest of
    its paragraph (a plan's verdicts with their confidence), the summary, the
    charts, the tables.

    Parameters
    ----------
    title : str
        What was run, e.g. ``svcsim plan: Bank hotline``.
    printed : str
        What the command printed; its first line is the headline.
    images : list of Path
        PNG charts to embed, in order.
    tables : dict of str to pandas.DataFrame
        Tables to show under their headings.
    """
    lines = printed.strip().splitlines()
    headline, rest = (lines[0], lines[1:]) if lines else (title, [])
    # the headline's own paragraph (a plan's verdicts and their confidence)
    # stands under it; the rest is the summary
    blank = next((i for i, line in enumerate(rest) if not line.strip()), None)
    lead = rest[:blank] if blank is not None else []
    summary = "\n".join(rest[len(lead):]).strip()
    parts = [f"<h1>{html.escape(headline)}</h1>"]
    if lead:
        parts.append("<div class='lead'>" + "".join(
            f"<p>{html.escape(line.strip())}</p>" for line in lead) + "</div>")
    parts.append(f"<p class='meta'>{html.escape(title)}</p>")
    if summary:
        parts.append(f"<h2>Summary</h2><pre>{html.escape(summary)}</pre>")
    if images:
        parts.append("<h2>Charts</h2>")
        parts += [f"<p>{image_html(path, path.stem.replace('_', ' '))}</p>" for path in images]
    for name, table in tables.items():
        parts.append(f"<h2>{html.escape(name)}</h2>{table_html(table)}")
    return ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<title>{html.escape(headline)}</title><style>{_STYLE}</style></head>"
            f"<body>{''.join(parts)}</body></html>\n")


def write_report(path: str | Path, title: str, printed: str, images: list[Path],
                 tables: dict[str, pd.DataFrame]) -> Path:
    """Write :func:`report_html` to ``path`` atomically."""
    return write_text(path, report_html(title, printed, images, tables))


__all__ = ["report_html", "table_html", "write_report"]
