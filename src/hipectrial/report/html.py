"""Render a :class:`~hipectrial.report.document.Report` as one self-contained HTML5 file.

The file needs nothing else to be shown: the stylesheet is inline, figures are inline SVG
(prolog, doctype and metadata removed, ids prefixed with the figure id so two figures never
clash) or base64 PNG ``data:`` URIs, there are no scripts, fonts or external URLs. The only
links that leave the file are relative ones to the listings' CSV files beside it
(``listings/<name>.csv``). Every string of the report is HTML-escaped. The same report
always gives the same string.

A report's data notice is a banner above everything, a line under every top-level
heading, and, printed, a line in the top margin of every page (an ``@page`` margin box,
:func:`~hipectrial.report.html_css.page_notice_css`).
"""

from __future__ import annotations

import base64
import re
from html import escape

from hipectrial.report.document import (
    NO_ROWS,
    Align,
    BulletList,
    Callout,
    CalloutKind,
    Cell,
    Figure,
    Listing,
    MetricGrid,
    Paragraph,
    Report,
    Section,
    Table,
    cell_text,
    listing_line,
)
from hipectrial.report.html_css import STYLESHEET, page_notice_css
from hipectrial.report.images import png_size
from hipectrial.report.markup import Style, parse_inline
from hipectrial.report.outline import Outline, cutoff_text, generated_text, outline

# Icon and word of each callout kind; the word carries the meaning, the icon helps the eye.
CALLOUT_WORDS: dict[CalloutKind, tuple[str, str]] = {
    CalloutKind.INFO: ("ℹ", "Info"),
    CalloutKind.OK: ("✓", "OK"),
    CalloutKind.WARNING: ("⚠", "Warning"),
    CalloutKind.STOP: ("⛔", "Stop"),
}

_BEFORE_SVG = re.compile(r"\A.*?(?=<svg[\s>])", re.DOTALL)
_METADATA = re.compile(r"<metadata\b.*?</metadata>\s*", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->\s*", re.DOTALL)
_ID = re.compile(r"(\sid=[\"'])")
_LOCAL_REF = re.compile(r"((?:xlink:)?href=[\"']#|url\(\s*#)")


def _text(value: str) -> str:
    return escape(value, quote=True)


def _prose(value: str) -> str:
    parts: list[str] = []
    for run in parse_inline(value):
        if run.style is Style.BOLD:
            parts.append(f"<strong>{_text(run.text)}</strong>")
        elif run.style is Style.ITALIC:
            parts.append(f"<em>{_text(run.text)}</em>")
        else:
            parts.append(_text(run.text))
    return "".join(parts)


def inline_svg(svg: bytes, *, prefix: str) -> str:
    """The ``<svg>`` element of an SVG file, ready to inline into HTML.

    Drops what precedes ``<svg`` (XML prolog, doctype, comments), ``<metadata>`` and
    comments, and prefixes every ``id`` and local reference (``href="#…"``,
    ``url(#…)``) with ``prefix + "--"``.

    >>> inline_svg(b'<?xml version="1.0"?><!DOCTYPE svg><svg id="a"><use href="#a"/></svg>', prefix="f")
    '<svg id="f--a"><use href="#f--a"/></svg>'
    """
    text = svg.decode("utf-8")
    text = _BEFORE_SVG.sub("", text, count=1)
    text = _COMMENT.sub("", _METADATA.sub("", text))
    end = text.rfind("</svg>")
    text = text[: end + len("</svg>")] if end >= 0 else text
    text = _ID.sub(lambda m: f"{m.group(1)}{prefix}--", text)
    return _LOCAL_REF.sub(lambda m: f"{m.group(1)}{prefix}--", text).strip()


def _link(target: str, content: str) -> str:
    return f'<a href="#{_text(target)}">{content}</a>'


def _grid(table: Table, caption: str, index: Outline, *, element_id: str | None) -> list[str]:
    """The ``<table>`` element (caption markup given) as lines."""
    classes = [f' class="align-{c.align.value}"' if c.align is not Align.LEFT else "" for c in table.columns]
    table_id = f' id="{_text(element_id)}"' if element_id else ""
    out = [f"<table{table_id}>", f"<caption>{caption}</caption>", "<thead><tr>"]
    out.extend(f'<th scope="col"{cls}>{_text(column.name)}</th>'
               for column, cls in zip(table.columns, classes, strict=True))
    out.append("</tr></thead><tbody>")
    for row in table.rows:
        cells = []
        for value, cls in zip(row, classes, strict=True):
            content = _text(cell_text(value))
            if isinstance(value, Cell) and value.link is not None:
                title = _text(index.labels[value.link])
                content = f'<a href="#{_text(value.link)}" title="{title}">{content}</a>'
            cells.append(f"<td{cls}>{content}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return out


def _caption(label: str, caption: str) -> str:
    return f'<span class="label">{_text(label)}.</span> {_text(caption)}'


def _note(text: str) -> str:
    return f'<p class="table-note">{_text(text)}</p>'


def _none(caption: str) -> list[str]:
    """A table without rows: its caption (markup given) and "None." in place of its grid."""
    return [f'<p class="table-caption">{caption}</p>', f'<p class="table-none">{NO_ROWS}</p>']


def _table(table: Table, label: str, index: Outline) -> str:
    """The table, or without rows its caption and "None." (the id then on the block)."""
    caption = _caption(label, table.caption)
    if table.rows:
        out = ['<div class="table-wrap">', *_grid(table, caption, index, element_id=table.id)]
    else:
        block_id = f' id="{_text(table.id)}"' if table.id else ""
        out = [f'<div class="table-wrap table-empty"{block_id}>', *_none(caption)]
    if table.note is not None:
        out.append(_note(table.note))
    out.append("</div>")
    return "\n".join(out)


def _listing(listing: Listing, label: str, index: Outline) -> str:
    """Inline: the table; summarised: the caption, the summary and the link to the CSV file.

    The listing's id is on the ``<table>`` when inline, else on the block that replaces it.
    Under either, :func:`~hipectrial.report.document.listing_line` with the file's path a link.
    """
    table = listing.table
    href = _text(listing.csv_path)
    before, path, after = listing_line(listing).partition(listing.csv_path)
    line = f'<p class="listing-file">{_text(before)}<a href="{href}">{_text(path)}</a>{_text(after)}</p>'
    block_id = f' id="{_text(table.id)}"' if table.id else ""
    if listing.inline and not table.rows:
        out = [f'<div class="table-wrap listing listing-empty"{block_id}>',
               f'<p class="listing-caption">{_caption(label, table.caption)}</p>']
    elif listing.inline:
        out = ['<div class="table-wrap listing">',
               *_grid(table, _caption(label, table.caption), index, element_id=table.id)]
    else:
        out = [f'<div class="table-wrap listing listing-summarised"{block_id}>',
               f'<p class="listing-caption">{_caption(label, table.caption)}</p>']
        summary = listing.summary
        if isinstance(summary, Table):
            caption = f"Summary: {_text(summary.caption)}"
            out.extend(_grid(summary, caption, index, element_id=None) if summary.rows else _none(caption))
            if summary.note is not None:
                out.append(_note(summary.note))
        elif isinstance(summary, Paragraph):
            out.append(f"<p>{_prose(summary.text)}</p>")
    out.append(line)
    if table.note is not None:
        out.append(_note(table.note))
    out.append("</div>")
    return "\n".join(out)


def _figure(figure: Figure, label: str) -> str:
    if figure.svg is not None:
        body = inline_svg(figure.svg, prefix=figure.id)
        body = f'<div class="figure-body" role="img" aria-label="{_text(figure.caption)}" ' \
               f'style="max-width: {figure.width_in:.2f}in">{body}</div>'
    else:
        width, height = png_size(figure.png)
        data = base64.b64encode(figure.png).decode("ascii")
        body = f'<div class="figure-body" style="max-width: {figure.width_in:.2f}in">' \
               f'<img src="data:image/png;base64,{data}" width="{width}" height="{height}" ' \
               f'alt="{_text(figure.caption)}"></div>'
    return (f'<figure id="{_text(figure.id)}">{body}<figcaption><span class="label">'
            f"{_text(label)}.</span> {_text(figure.caption)}</figcaption></figure>")


def _metrics(grid: MetricGrid, index: Outline) -> str:
    out = ['<div class="metrics">']
    for metric in grid.metrics:
        value = _text(metric.value)
        parts = [f'<div class="metric"><div class="metric-label">{_text(metric.label)}</div>']
        if metric.link is not None:
            value = _link(metric.link, value)
        parts.append(f'<div class="metric-value">{value}</div>')
        if metric.detail is not None:
            parts.append(f'<div class="metric-detail">{_text(metric.detail)}</div>')
        if metric.link is not None:
            source = _link(metric.link, f"Records: {_text(index.labels[metric.link])}")
            parts.append(f'<div class="metric-source">{source}</div>')
        parts.append("</div>")
        out.append("".join(parts))
    out.append("</div>")
    return "\n".join(out)


def _callout(callout: Callout) -> str:
    icon, word = CALLOUT_WORDS[callout.kind]
    text = f"<p>{_prose(callout.text)}</p>" if callout.text else ""
    return (f'<div class="callout callout-{callout.kind.value}" role="note">'
            f'<div class="callout-head"><span class="callout-icon" aria-hidden="true">{icon}</span>'
            f'<span class="callout-word">{word.upper()}:</span> {_text(callout.title)}</div>{text}</div>')


def _section(section: Section, index: Outline, notice: str | None) -> str:
    heading = index.heading(section.id)
    level = heading.depth + 1
    out = [f'<section id="{_text(section.id)}" class="depth-{heading.depth}">',
           f'<h{level}><span class="num">{_text(heading.number)}</span> {_text(section.title)}</h{level}>']
    if heading.depth == 1 and notice is not None:
        out.append(f'<p class="data-notice-inline" role="note">{_text(notice)}</p>')
    for block, label in zip(section.blocks, heading.block_labels, strict=True):
        if isinstance(block, Paragraph):
            out.append(f"<p>{_prose(block.text)}</p>")
        elif isinstance(block, BulletList):
            items = "".join(f"<li>{_prose(item)}</li>" for item in block.items)
            out.append(f'<ul class="bullets">{items}</ul>')
        elif isinstance(block, Callout):
            out.append(_callout(block))
        elif isinstance(block, MetricGrid):
            out.append(_metrics(block, index))
        elif isinstance(block, Table):
            out.append(_table(block, label or "Table", index))
        elif isinstance(block, Listing):
            out.append(_listing(block, label or "Table", index))
        else:
            out.append(_figure(block, label or "Figure"))
    out.extend(_section(sub, index, notice) for sub in section.subsections)
    out.append("</section>")
    return "\n".join(out)


def _toc_items(sections: tuple[Section, ...], index: Outline) -> str:
    items = []
    for section in sections:
        number = _text(index.heading(section.id).number)
        nested = f"<ol>{_toc_items(section.subsections, index)}</ol>" if section.subsections else ""
        items.append(f'<li><a href="#{_text(section.id)}"><span class="num">{number}</span> '
                     f"{_text(section.title)}</a>{nested}</li>")
    return "\n".join(items)


def render_html(*, report: Report) -> str:
    """The report as one self-contained, deterministic HTML5 document.

    Parameters
    ----------
    report : Report
        A validated report.

    Returns
    -------
    str
        The HTML document: inline stylesheet (screen and print), data notice, header
        block, table of contents, numbered sections and the appendix. No scripts, fonts or
        external URLs; relative links to ``listings/<name>.csv`` for the listings.
    """
    index = outline(report)
    meta = [("Trial", report.trial_id), ("Protocol version", report.protocol_version),
            ("Data cut-off", cutoff_text(report)), ("Generated", generated_text(report))]
    toc = _toc_items(report.sections, index)
    if report.appendix:
        toc += (f'\n<li class="toc-part"><a href="#report--appendix">Appendix</a>'
                f"<ol>{_toc_items(report.appendix, index)}</ol></li>")
    notice = report.data_notice
    body = [_section(section, index, notice) for section in report.sections]
    if report.appendix:
        body.append('<div class="appendix" id="report--appendix">\n<h2 class="part">Appendix</h2>')
        body.extend(_section(section, index, notice) for section in report.appendix)
        body.append("</div>")
    title = _text(report.title)
    subtitle = f'<p class="subtitle">{_text(report.subtitle)}</p>' if report.subtitle else ""
    confidentiality = _text(report.confidentiality)
    banner: list[str] = []
    if notice is not None:
        banner = [f'<p class="data-notice" role="note">{_text(notice)}</p>']
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title} — {_text(report.trial_id)}</title>",
        f"<style>{STYLESHEET}{page_notice_css(notice) if notice is not None else ''}</style>",
        "</head>",
        "<body>",
        *banner,
        '<header class="report-header">',
        f'<p class="confidentiality" role="note">{confidentiality}</p>',
        f"<h1>{title}</h1>{subtitle}",
        '<dl class="meta">' + "".join(f"<dt>{k}</dt><dd>{_text(v)}</dd>" for k, v in meta) + "</dl>",
        "</header>",
        '<nav class="toc" aria-labelledby="report--contents"><h2 id="report--contents">Contents</h2>',
        f"<ol>\n{toc}\n</ol></nav>",
        "<main>",
        *body,
        "</main>",
        f'<footer class="report-footer">{confidentiality} · {_text(report.trial_id)} · '
        f"data cut-off {_text(cutoff_text(report))} · generated {_text(generated_text(report))}</footer>",
        "</body>",
        "</html>",
        "",
    ])
