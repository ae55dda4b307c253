"""The plan's commitments on a page: each unit's return as escaped HTML, the status badges and
counts, and the tables every page of commitments (chapter, closure review) shares."""

from __future__ import annotations

from IPython.display import Markdown

from pcpbook.contracts import commentary
from pcpbook.contracts.dataset import Dataset
from pcpbook.contracts.model import Plan
from pcpbook.core.periods import Quarter
from pcpbook.core.render import escape_html, markdown_table
from pcpbook.present.citing import linked


def load_returns(dataset: Dataset, plan: Plan, quarter: Quarter) -> commentary.Returns:
    return commentary.load(dataset.root / "commentary", plan, quarter)


def status_badge(status: str) -> str:
    label = "No update" if status == commentary.NO_UPDATE else status.capitalize()
    return f'<span class="pcp-status pcp-status-{status.replace(" ", "-")}">{label}</span>'


def status_summary(counts) -> str:
    """"2 complete, 4 on track, 1 at risk, 1 no update received" in a fixed order."""
    parts = [f"{counts[s]} {s if s != commentary.NO_UPDATE else 'no update received'}"
             for s in commentary.STATUSES if counts.get(s)]
    return ", ".join(parts) if parts else "none"


def commitments_table(caption: str, columns: list[str], rows: list[str]) -> str:
    """The frame every commitments table shares: an escaped caption, the column headers and
    the body rows (already rendered)."""
    head = "".join(f'<th scope="col">{column}</th>' for column in columns)
    return (f'<table class="pcp-commitments"><caption>{escape_html(caption)}</caption><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def paraphrase_note(source: str, sources: dict[str, str]) -> Markdown:
    return Markdown(f"Commitments are paraphrased in our own words from: {linked(source, sources)}.")


def commentary_cell(entry: commentary.Entry) -> str:
    if not entry.received:
        return f'<p class="pcp-no-update">{commentary.NO_UPDATE_TEXT}</p>'
    if not entry.text.strip():
        return f'<p class="pcp-no-update">{commentary.COMPLETE_WITHOUT_TEXT}</p>'
    rendered = commentary.to_html(entry.text)
    if len(entry.text) <= commentary.LONG_ENTRY:
        return rendered
    opening = escape_html(entry.text[:300].rsplit(" ", 1)[0])
    return (f'<details class="pcp-long"><summary>{opening} ... (show all {len(entry.text):,} characters)'
            f"</summary>{rendered}</details>")


def status_table(plan: Plan, count) -> str:
    """A Markdown table of statuses per priority and in total; ``count(ids)`` gives a Counter."""
    header = ["Priority"] + [s.capitalize() if s != commentary.NO_UPDATE else "No update" for s in commentary.STATUSES] + ["Total"]
    rows = [header]
    for priority in plan.priorities:
        counts = count([c.id for c in priority.commitments])
        rows.append([f"{priority.number}. {priority.title}"] + [str(counts.get(s, 0)) for s in commentary.STATUSES]
                    + [str(sum(counts.values()))])
    total = count([c.id for p in plan.priorities for c in p.commitments])
    rows.append(["All priorities"] + [str(total.get(s, 0)) for s in commentary.STATUSES] + [str(sum(total.values()))])
    return markdown_table(rows)
