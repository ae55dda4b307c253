"""Withdrawing a published edition (``python -m pcpbook withdraw --quarter ... --reason ...``),
as official statistics withdraw a release found wrong: its pages stay where readers' links point,
each opening with a notice that it is withdrawn, when and why; its record keeps the notice; the
landing page, the feed and the version switcher say so; and no later build republishes it."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from pcpbook.build.buildspec import EDITION_RECORD
from pcpbook.build.edition import site_session
from pcpbook.build.landing import write_site_pages
from pcpbook.build.site import write_switcher
from pcpbook.contracts.records import read_record
from pcpbook.core.periods import Quarter
from pcpbook.core.render import escape_html

NOTICE_CLASS = "pcp-withdrawn"
MAX_REASON = 500
_BODY = re.compile(r"<body[^>]*>")


class WithdrawalError(ValueError):
    """An edition that cannot be withdrawn as asked."""


def withdraw(root: Path, quarter: str, reason: str, site: Path | None = None, base_url: str = "/") -> Path:
    """Withdraw the published edition for ``quarter`` with ``reason``; the edition's folder."""
    reason = " ".join(str(reason).split())
    if not reason or len(reason) > MAX_REASON:
        raise WithdrawalError(f"--reason: say why the edition is withdrawn, in one line of at most {MAX_REASON} characters "
                         f"(got {len(reason)})")
    edition = Quarter.parse(quarter)
    with site_session(root, None, site) as (_, _, site, _):
        folder = site / edition.id
        record = read_record(folder / EDITION_RECORD)
        if record is None:
            raise WithdrawalError(f"no published edition for {edition} in {site}: there is nothing to withdraw")
        if record.get("withdrawn"):
            raise WithdrawalError(f"the {edition} edition was withdrawn on {record['withdrawn']['on']}: "
                             f"{record['withdrawn']['reason']}")
        record["withdrawn"] = {"on": dt.date.today().isoformat(), "reason": reason}
        for page in folder.rglob("*.html"):
            page.write_text(with_notice(page.read_text(encoding="utf-8"), record), encoding="utf-8")
        (folder / EDITION_RECORD).write_text(json.dumps(record, indent=2), encoding="utf-8")
        read_record(folder / EDITION_RECORD)  # the record still holds to its contract
        write_switcher(site, base_url)
        write_site_pages(site, base_url)
    return folder


def with_notice(page: str, record: dict) -> str:
    """The page with the withdrawal notice first in its body (the reason as text, never markup)."""
    withdrawn = record["withdrawn"]
    notice = (f'<div class="{NOTICE_CLASS}" role="alert"><p><strong>Withdrawn on {escape_html(withdrawn["on"])}.'
              f"</strong> This edition ({escape_html(record['label'])}, version {escape_html(record['version'])}) is "
              f"no longer to be relied on: {escape_html(withdrawn['reason'])}</p></div>")
    return _BODY.sub(lambda match: match.group(0) + notice, page, count=1)
