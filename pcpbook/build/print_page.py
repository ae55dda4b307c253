"""The page the print edition is printed from: the book's single-page build made into a
document a panel can file. A cover, a contents with page numbers (filled in from where the
first printing put each chapter), each chapter a top-level heading (the single-page build nests
them under the intro's "Contents"), every folded part open, no link to a file on the build
machine, and the pages that are reference material for the web only left out."""

from __future__ import annotations

import html as html_module
import re
from dataclasses import dataclass
from typing import Callable

from pcpbook.core.render import escape_html

ONLINE_ONLY = ("chapters/build",)  # versions, fingerprints, packages, timings: the web edition keeps them
ONLINE_ONLY_NOTE = "How this {noun} was made (versions, data fingerprints and timings) is in the online {noun}."
DOCUMENT = re.compile(r'<span id="document-(?P<name>[^"]+)"></span>')
CONTENTS_HEADING = re.compile(r'<section id="contents">\s*<h2>Contents<a class="headerlink"[^>]*>#</a></h2>')
SECTION_TAG = re.compile(r"<(/?)section\b[^>]*>")
HEADING_TAG = re.compile(r"<(/?)h([1-6])(?=[\s>])")
HEADER_LINK = re.compile(r'<a class="headerlink" href="#[^"]*" title="[^"]*">#</a>')
TOP_HEADING = re.compile(r'<section[^>]*\bid="(?P<id>[^"]+)"[^>]*>\s*<h1>(?P<title>.*?)</h1>', re.S)
LINK = re.compile(r'<a\b(?P<attributes>[^>]*)>(?P<text>.*?)</a>', re.S)
HREF = re.compile(r'\bhref="(?P<href>[^"]*)"')
ID = re.compile(r'\bid="([^"]+)"')
HEADING_TEXT = re.compile(r"<h[1-6]\b[^>]*>(?P<title>.*?)</h[1-6]>", re.S)
DOWNLOAD = re.compile(r'\bclass="[^"]*\bdownload\b')
KEPT_LINK = re.compile(r"^(#|https?:|mailto:)")
PHONE_CHART = re.compile(r'<img\b[^>]*\bclass="[^"]*\bpcp-phone\b[^"]*"[^>]*>')
LAZY = re.compile(r'\sloading="lazy"')
PAGE_MARK = "pcp-page-of-"  # a contents entry's page number, filled in after the first printing


@dataclass(frozen=True)
class Cover:
    """What the cover says: whose book, what it is, and the facts a filed copy needs."""

    force: str
    title: str
    subtitle: str
    facts: tuple[tuple[str, str], ...]  # (label, value): data to, version, produced, publisher, marking
    notice: str = ""                    # e.g. that the data include modelled values
    noun: str = "edition"               # what the book is called in its own sentences


def print_page(html: str, cover: Cover) -> str:
    """The single-page build as printed (see the module's docstring); its contents' page
    numbers are blank until ``with_page_numbers``."""
    html = opened_for_print(html)
    html = _without_online_only(html)
    html = _chapters_as_top_headings(html)
    html = HEADER_LINK.sub("", html)
    html = _local_links_as_text(html)
    html = desktop_charts_loaded(html)
    front = _cover_html(cover) + _contents_html(chapters(html))
    return re.sub(r'(<article class="bd-article"[^>]*>)', lambda match: match.group(1) + front, html, count=1)


def chapters(html: str) -> list[tuple[str, str]]:
    """Each top-level heading of the printed page, in order: (anchor, title as markup)."""
    return [(match["id"], match["title"].strip()) for match in TOP_HEADING.finditer(html)]


def with_page_numbers(html: str, outline: list[tuple[str, int]]) -> str:
    """The contents filled in: each chapter's page, from the first printing's outline (its
    entries are the page's headings, titled as they are); a chapter not found stays blank."""
    remaining = list(outline)
    for anchor, title in chapters(html):
        text = _plain(title)
        found = next((i for i, (entry, _) in enumerate(remaining) if _plain(entry) == text), None)
        if found is None:
            continue
        page = remaining[found][1]
        del remaining[:found + 1]
        html = html.replace(f'id="{PAGE_MARK}{anchor}"></span>', f'id="{PAGE_MARK}{anchor}">{page}</span>', 1)
    return html


def bookmark_titles(html: str) -> Callable[[str], str]:
    """A printed bookmark's title as its heading reads on the printed page: matched on its
    characters without spaces, a title that repeats its heading twice over taken once; a title
    that matches no heading is kept."""
    headings: dict[str, str] = {}
    for match in HEADING_TEXT.finditer(html):
        text = " ".join(html_module.unescape(re.sub(r"<[^>]+>", "", match["title"])).split())
        headings.setdefault(_plain(text), text)

    def title(printed: str) -> str:
        key = _plain(printed)
        half = key[:len(key) // 2]
        if key not in headings and key == half * 2:
            key = half
        return headings.get(key, printed)
    return title


def _plain(markup: str) -> str:
    """A title's characters without markup or spaces (a bookmark's title loses the space where
    its heading broke across lines)."""
    return "".join(html_module.unescape(re.sub(r"<[^>]+>", "", markup)).split())


def opened_for_print(html: str) -> str:
    """Every folded part open (a closed ``<details>`` prints only its summary), in the light
    theme, which the theme's script would otherwise choose (printing runs no script)."""
    return re.sub(r"<details(?=[\s>])", "<details open", html).replace('data-theme="auto"', 'data-theme="light"', 1)


def desktop_charts_loaded(html: str) -> str:
    """Each chart once, in its desktop layout, loaded before printing: the phone layout goes
    (``present/sections.save_figure`` draws both) and no image waits to be scrolled to."""
    return LAZY.sub("", PHONE_CHART.sub("", html))


def _without_online_only(html: str) -> str:
    """The pages kept for the web edition removed: each is its document mark and the section
    that follows it, to the matching end tag."""
    for name in ONLINE_ONLY:
        start = html.find(f'<span id="document-{name}"></span>')
        if start >= 0:
            html = html[:start] + html[_section_end(html, start):]
    return html


def _section_end(html: str, start: int) -> int:
    """Where the first ``<section>`` at or after ``start`` ends (after its ``</section>``)."""
    depth = 0
    for tag in SECTION_TAG.finditer(html, start):
        depth += -1 if tag[1] else 1
        if depth == 0:
            return tag.end()
    return len(html)


def _chapters_as_top_headings(html: str) -> str:
    """The intro's "Contents" heading removed and every heading after it two levels up, so each
    chapter is a top-level heading (and a top-level bookmark) as it is on its own web page."""
    match = CONTENTS_HEADING.search(html)
    if match is None:
        return html
    after = HEADING_TAG.sub(lambda tag: f"<{tag[1]}h{max(1, int(tag[2]) - 2)}", html[match.end():])
    return html[:match.start()] + '<section id="contents">' + after


def _local_links_as_text(html: str) -> str:
    """A link to a file on the build machine goes nowhere from paper or a PDF: its text stays,
    without the link (a chart's "Data for this chart" link goes whole: the data are online);
    links within the page and to the web are kept, and so is a link to a place the page holds
    (the single-page build names its own file in them: ``intro.html#source-seed-004``)."""
    ids = set(ID.findall(html))

    def unlinked(match: re.Match) -> str:
        href = HREF.search(match["attributes"])
        if href is None or KEPT_LINK.match(href["href"]):
            return match[0]
        place = href["href"].partition("#")[2]
        if place in ids:
            return match[0].replace(href[0], f'href="#{place}"', 1)
        if DOWNLOAD.search(match["attributes"]):
            return ""
        return f'<span class="pcp-unlinked">{match["text"]}</span>'
    return LINK.sub(unlinked, html)


def _cover_html(cover: Cover) -> str:
    e = escape_html
    facts = "".join(f"<tr><th scope=\"row\">{e(label)}</th><td>{e(value)}</td></tr>" for label, value in cover.facts)
    notice = f'<p class="pcp-cover-notice">{e(cover.notice)}</p>' if cover.notice else ""
    return (f'<div class="pcp-cover"><p class="pcp-cover-force">{e(cover.force)}</p>'
            f'<p class="pcp-cover-title">{e(cover.title)}</p><p class="pcp-cover-subtitle">{e(cover.subtitle)}</p>'
            f'<table class="pcp-cover-facts"><tbody>{facts}</tbody></table>{notice}'
            f'<p class="pcp-cover-online">{e(ONLINE_ONLY_NOTE.format(noun=cover.noun))}</p></div>')


def _contents_html(entries: list[tuple[str, str]]) -> str:
    items = "".join(f'<li><a href="#{escape_html(anchor)}">{title}</a>'
                    f'<span class="pcp-contents-page" id="{PAGE_MARK}{escape_html(anchor)}"></span></li>'
                    for anchor, title in entries)
    return f'<nav class="pcp-print-contents" aria-label="Contents"><p class="pcp-contents-title">Contents</p><ol>{items}</ol></nav>'
