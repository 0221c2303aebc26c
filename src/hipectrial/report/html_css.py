"""The one stylesheet of the HTML report, inlined into its ``<head>``.

Local fonts only (no ``@font-face``, nothing fetched). Callouts differ by border style,
icon and word, so they stay distinct printed in black and white.
"""

from __future__ import annotations

STYLESHEET = """
:root { --ink: #1b1f24; --muted: #57606a; --rule: #c9ced4; --shade: #f3f4f6; --link: #0b4f9c; }
* { box-sizing: border-box; }
html { font-size: 15px; }
body { margin: 0 auto; max-width: 60rem; padding: 1.5rem 2rem 3rem; color: var(--ink);
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial,
    "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif;
  line-height: 1.45; background: #fff; }
a { color: var(--link); }
.confidentiality { border: 2px solid var(--ink); padding: .35rem .75rem; font-weight: 700;
  text-align: center; letter-spacing: .02em; text-transform: uppercase; margin: 0 0 1rem; }
.data-notice { border: 3px double var(--ink); background: #fff3cd; padding: .45rem .75rem;
  font-weight: 700; text-align: center; letter-spacing: .02em; margin: 0 0 .75rem; }
.data-notice-inline { border: 1px solid var(--ink); padding: .2rem .6rem; font-weight: 700;
  font-size: .9rem; margin: .2rem 0 .8rem; }
.report-header h1 { font-size: 1.9rem; margin: .5rem 0 .2rem; line-height: 1.2; }
.report-header .subtitle { font-size: 1.15rem; color: var(--muted); margin: 0 0 1rem; }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1.2rem; margin: 0;
  padding: .75rem 1rem; background: var(--shade); border-left: 4px solid var(--ink); }
.meta dt { font-weight: 600; }
.meta dd { margin: 0; }
nav.toc { margin: 1.5rem 0 2rem; }
nav.toc h2 { font-size: 1.25rem; border-bottom: 1px solid var(--rule); padding-bottom: .2rem; }
nav.toc ol { list-style: none; margin: 0; padding-left: 1.4rem; }
nav.toc > ol { padding-left: 0; }
nav.toc li { margin: .15rem 0; }
nav.toc .toc-part { font-weight: 600; margin-top: .5rem; }
.num { display: inline-block; min-width: 2.6em; color: var(--muted); font-variant-numeric: tabular-nums; }
h2 { font-size: 1.45rem; margin: 2.2rem 0 .6rem; border-bottom: 2px solid var(--ink); padding-bottom: .2rem; }
h3 { font-size: 1.2rem; margin: 1.6rem 0 .5rem; }
h4 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
h2.part { border-bottom-width: 3px; text-transform: uppercase; letter-spacing: .04em; }
p { margin: .5rem 0; }
.table-wrap { margin: 1rem 0 1.2rem; overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
caption { caption-side: top; text-align: left; font-weight: 600; padding: 0 0 .35rem; }
th, td { padding: .28rem .55rem; border-bottom: 1px solid var(--rule); vertical-align: top; }
thead th { border-bottom: 2px solid var(--ink); text-align: left; background: var(--shade); }
tbody tr:nth-child(even) td { background: #fafbfc; }
.align-right { text-align: right; font-variant-numeric: tabular-nums; }
.align-center { text-align: center; }
thead th.align-right { text-align: right; }
thead th.align-center { text-align: center; }
.table-note { font-size: .82rem; color: var(--muted); margin: .35rem 0 0; }
.listing-caption, .table-caption { font-weight: 600; margin: 0 0 .35rem; }
.listing-file, .table-none { font-size: .85rem; margin: .35rem 0 0; }
td, th { overflow-wrap: normal; word-break: normal; }
.label { font-weight: 700; }
figure { margin: 1.2rem 0; }
.figure-body svg, .figure-body img { display: block; width: 100%; height: auto; }
figcaption { font-size: .9rem; margin-top: .4rem; }
.metrics { display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); gap: .75rem;
  margin: 1rem 0; }
.metric { border: 1px solid var(--ink); padding: .6rem .8rem; }
.metric-label { font-size: .85rem; color: var(--muted); }
.metric-value { font-size: 1.3rem; font-weight: 700; font-variant-numeric: tabular-nums; }
.metric-detail { font-size: .85rem; }
.metric-source { font-size: .8rem; margin-top: .25rem; }
.callout { margin: 1rem 0; padding: .6rem .9rem; break-inside: avoid; page-break-inside: avoid; }
.callout-head { font-weight: 700; }
.callout-word { letter-spacing: .05em; margin-right: .4rem; }
.callout-icon { margin-right: .35rem; }
.callout p { margin: .3rem 0 0; }
.callout-info { border: 1px solid var(--ink); background: #eef4fb; }
.callout-ok { border: 3px solid var(--ink); background: #eef8f0; }
.callout-warning { border: 3px dashed var(--ink); background: #fff8e6; }
.callout-stop { border: 6px double var(--ink); background: #fdecec; }
ul.bullets { margin: .5rem 0; padding-left: 1.4rem; }
.report-footer { margin-top: 3rem; border-top: 1px solid var(--rule); padding-top: .5rem;
  font-size: .8rem; color: var(--muted); }
@page { size: A4; margin: 16mm 15mm 18mm; }
@media print {
  html { font-size: 10pt; }
  body { max-width: none; padding: 0; }
  a { color: inherit; text-decoration: none; }
  .metric-source a, td a { text-decoration: underline; }
  section.depth-1, .appendix { break-before: page; page-break-before: always; }
  .appendix > section.depth-1:first-of-type { break-before: avoid; page-break-before: avoid; }
  h2, h3, h4, caption { break-after: avoid; page-break-after: avoid; }
  thead { display: table-header-group; }
  tfoot { display: table-footer-group; }
  tr, figure, .metric, .meta { break-inside: avoid; page-break-inside: avoid; }
  .table-wrap { overflow: visible; }
  tbody tr:nth-child(even) td { background: none; }
  .callout-info, .callout-ok, .callout-warning, .callout-stop, .meta, thead th { background: none; }
  .data-notice { background: none; }
}
"""


def page_notice_css(notice: str) -> str:
    """An ``@page`` rule printing ``notice`` in the top margin of every printed page.

    CSS margin boxes (CSS Paged Media 3): Chromium since 131, WeasyPrint and Prince print
    them; a browser that does not still shows the notice as the banner and under every
    top-level heading, each of which starts a printed page. Every character but ASCII
    letters and digits is written as a CSS escape, so no text can end the string or the
    ``<style>`` element.

    >>> print(page_notice_css('SIM "A" </style>').split(";")[0])
    @page { @top-center { content: "SIM\\000020\\000022A\\000022\\000020\\00003C\\00002Fstyle\\00003E"
    """
    # six hex digits end an escape by length; a space is escaped too, since CSS swallows
    # the one white-space character that follows an escape
    escaped = "".join(char if char.isascii() and char.isalnum() else f"\\{ord(char):06X}"
                      for char in notice)
    return f'@page {{ @top-center {{ content: "{escaped}"; font: 700 8.5pt sans-serif; color: #1b1f24; }} }}'
