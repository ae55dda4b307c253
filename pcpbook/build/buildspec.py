"""What a build must do, and the content keys that decide it.

Every notebook of every edition asked for gets a content key: the notebook, its parameters, the
data it can see (the plan's measures up to the quarter's end, the plan, the catalogue, the
quarter's returns) and the library with every installed package. A book's inputs add the
publication settings (base URL, print marking); an edition whose inputs are unchanged is not
rebuilt, and one whose inputs changed is republished as the next version with a change-log entry
saying what changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

from pcpbook.build.book_kinds import BOOK_KINDS
from pcpbook import __version__

from pcpbook.contracts import commentary, settings

from pcpbook.present import pages
from pcpbook.present.page_kinds import EDITION, KEYED_FACTS, PAPER, REVIEW, PageKind

from pcpbook.build import printing
from pcpbook.contracts.records import read_last_build, read_record
from pcpbook.contracts.dataset import Dataset
from pcpbook.contracts.model import Plan
from pcpbook.core.outputs import slug
from pcpbook.core.periods import Quarter, quarters_between
from pcpbook.core.resources import PACKAGE

EDITION_RECORD, REVIEW_RECORD, PAPER_RECORD = (BOOK_KINDS[kind].record for kind in (EDITION, REVIEW, PAPER))
RECORDED_PACKAGES = ("jupyter-book", "sphinx", "myst-nb", "papermill", "pandas", "numpy", "scipy",
                     "statsmodels", "seaborn", "matplotlib")


class BuildError(Exception):
    """An edition could not be built; its published copy is unchanged."""


@dataclass(eq=False)
class Job:
    """One notebook to execute for one edition."""

    edition: str
    source: Path         # the template or fork it is made from (named in messages)
    notebook: str        # the notebook to run, as .ipynb text
    target: Path         # its place in the staged book
    page: str            # that place, relative to the book
    label: str           # the notebook as messages name it: the fork, or the page and its template
    parameters: dict
    key: str             # hash of everything the notebook's output depends on: the cache key
    cache: Path          # the cache folder
    weight: int = 1      # how long it tends to take: the chapter's number of measures

    @property
    def cached(self) -> Path:
        return self.cache / f"{self.key}.ipynb"


@dataclass
class EditionPlan:
    """A book to build: a quarterly edition (``quarter`` set), a plan's closure review, or a
    strategy's scrutiny paper for a quarter (``strategy`` set)."""

    name: str               # its folder in the site: the quarter id, or closure-<plan id>
    quarter: Quarter | None
    plan: Plan
    stage: Path
    jobs: list[Job]
    inputs: dict[str, str]
    version: str
    history: list[dict]
    modelled: bool = False  # whether any value the book can see is modelled
    print_file: str = ""    # the print edition's PDF, in the book's folder ("" when Chromium is absent)
    forks: list[str] = field(default_factory=list)  # the pages made from an analyst's fork, not a template
    force: str = ""         # the force's name (force.yaml)
    strategy: str = ""      # a scrutiny paper's strategy (its title); "" for editions and reviews
    strategy_id: str = ""
    contents: dict = field(default_factory=dict)  # an edition's digest per measure and per commitment's return

    @property
    def inputs_sha256(self) -> str:
        return sha(json.dumps(self.inputs, sort_keys=True))

    @property
    def is_review(self) -> bool:
        return self.quarter is None

    @property
    def is_paper(self) -> bool:
        return bool(self.strategy)

    @property
    def kind(self) -> str:
        return PAPER if self.is_paper else REVIEW if self.is_review else EDITION

    @property
    def record_file(self) -> str:
        return BOOK_KINDS[self.kind].record

    @property
    def title(self) -> str:
        if self.is_paper:
            return f"{self.strategy}, {self.force}: scrutiny paper {self.quarter.label}"
        if self.is_review:
            return f"{self.plan.title}, {self.force}: closure review"
        return f"{self.plan.title}, {self.force}: quarterly update {self.quarter.label}"

    @property
    def data_to(self) -> dt.date:
        return Quarter(self.plan.end_year, 4).end if self.is_review else self.quarter.end


def sha(*parts) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else str(part).encode())
    return digest.hexdigest()


LAST_BUILD = "last-build.json"  # in _build/: the raw inputs of the last successful build and what it left


def raw_inputs_digest(root: Path, data_folder: Path, request: dict) -> str:
    """Every file a build of editions reads (the data folder with its returns and extracts,
    the chapters, the book's settings), the library and packages, and the request: when it is
    the same as at the last successful build, the same books would be planned with the same
    content keys, so a no-op build can say so without loading (or importing the means to
    load) the data."""
    files = sorted(p for p in Path(data_folder).rglob("*") if p.is_file())
    files += sorted(p for p in (root / pages.CHAPTERS).rglob("*") if p.suffix in (".ipynb", ".md"))
    files += [root / "_config.yml", root / "_toc.yml"]
    return sha(library_digest(), json.dumps(request, sort_keys=True, default=str),
               *[f"{p}\0{p.stat().st_size}\0".encode() + p.read_bytes() for p in files if p.is_file()])


def unchanged_since_last_build(root: Path, site: Path, raw: str) -> list[dict] | None:
    """The books the last successful build left, if its raw inputs were ``raw`` and each is
    still published with the inputs it had; otherwise None."""
    last = read_last_build(root / "_build" / LAST_BUILD)
    if last is None or last["raw"] != raw:
        return None
    books = last["books"]
    same = all(published_inputs(site, b["name"], b["record_file"]) == b["inputs_sha256"] for b in books)
    return books if books and same else None


def remember_build(root: Path, raw: str, books: list[dict]) -> None:
    path = root / "_build" / LAST_BUILD
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps({"raw": raw, "books": books}, indent=1), encoding="utf-8")
    partial.replace(path)


def publication_settings(project: settings.Project, base_url: str) -> str:
    """What a published book depends on beyond its notebooks: the URL it is served from (the
    version switcher) and every setting of ``_config.yml`` (title, author, logo, theme options,
    the print edition's marking), all of which the book is built with."""
    return sha(base_url, json.dumps(project.config, sort_keys=True, default=str))


def library_digest() -> str:
    """The library's source, templates and reference tables, and every installed package's name
    and version (the names of the environment's ``*.dist-info`` folders: no package's metadata
    needs reading)."""
    files = sorted(p for p in PACKAGE.rglob("*") if p.is_file() and p.suffix in (".py", ".css", ".md", ".csv", ".yaml"))
    folders = {sysconfig.get_paths()[kind] for kind in ("purelib", "platlib")}
    versions = sorted(p.name for folder in folders for p in Path(folder).glob("*.dist-info"))
    return sha(__version__, json.dumps(versions),
                *[p.relative_to(PACKAGE).as_posix().encode() + p.read_bytes() for p in files])


def plan_edition(root: Path, dataset: Dataset, quarter: Quarter, plan: Plan, site: Path, library: str,
                 note: str | None, published: str, batch: frozenset[str] = frozenset()) -> EditionPlan:
    """The notebooks an edition needs, with content keys, and its version if published now."""
    returns_file = commentary.path_for(dataset.root / "commentary", quarter)
    returns = sha(returns_file.read_bytes() if returns_file.exists() else b"")
    data = dataset.visible_digest(quarter)
    notebooks = {page: pages.notebook_text(root, page) for page in pages.edition_pages(plan, quarter)}
    print_file = _print_file(quarter.id)
    inputs = {"data": data, "commentary": returns, "code": sha(library, *notebooks.values()), "print": print_file,
              "settings": published}
    contents = edition_contents(dataset, plan, quarter)
    version, history = next_version(site, quarter.id, EDITION_RECORD, inputs, note)
    if len(history) > 1 and history[-1]["version"] == version:
        history[-1] = {**history[-1], "detail": changed_contents(site, quarter.id, contents, dataset)}
    planned = EditionPlan(quarter.id, quarter, plan, root / "_build" / "staging" / quarter.id, [], inputs,
                          version, history, _sees_modelled(dataset, quarter.end), print_file, _forks(root, notebooks),
                          dataset.force.name, contents=contents)
    # every chapter's tests are controlled together (false discovery rate), so each sees all the plan's measures,
    # and the districts' (a chapter names a district only where the district page's family of tests says so)
    districts = dataset.district_measure_ids(quarter)
    chapters_see = dataset.visible_digest(quarter, dataset.with_bases(plan.measure_ids) + districts)
    facts = {"version": version, "produced": dt.date.today().isoformat(), "print_edition": print_file}
    if any("revised" in page.declared.told for page in notebooks):
        facts |= revised_since_published(site, dataset, plan, quarter, batch)
    for page, text in notebooks.items():
        kind = page.declared
        keyed, extra = told(kind, facts)
        parameters = {**page.defaults, "quarter": quarter.id, "data_dir": str(dataset.root), **keyed}
        sees = {"plan": chapters_see, "quarter": data, "districts": dataset.visible_digest(quarter, districts)}[kind.sees]
        weight = len(plan.priority(page.defaults["priority"]).measures) if kind.each_priority else 1
        planned.jobs.append(_job(root, planned, page, text, parameters, extra, (sees, returns, library), weight))
    return planned


def edition_contents(dataset: Dataset, plan: Plan, quarter: Quarter) -> dict:
    """A digest of each measure's values an edition can see and of each commitment's return
    (status and text): kept in the edition's record, so the next version can say which changed."""
    returns = commentary.load(dataset.root / "commentary", plan, quarter).entries
    return {"measures": measure_digests(dataset, quarter),
            "returns": {cid: sha(entry.status, entry.text)[:16] for cid, entry in returns.items()}}


def measure_digests(dataset: Dataset, quarter: Quarter) -> dict[str, str]:
    """A digest of each measure's observations up to the quarter's end (rows in any order)."""
    import numpy as np
    import pandas as pd
    rows = dataset.observations[dataset.observations["period_start"] <= quarter.end]
    hashes = pd.util.hash_pandas_object(rows[["measure", "geography", "period_start", "period", "value", "source",
                                              "status"]], index=False).to_numpy()
    by_measure = pd.Series(hashes).groupby(rows["measure"].to_numpy())
    return {m: format(int(np.bitwise_xor.reduce(h.to_numpy())), "016x") for m, h in by_measure}


def _changed(before: dict, after: dict, part: str) -> list[str]:
    old, new = before.get(part, {}), after[part]
    return sorted(key for key in set(old) | set(new) if old.get(key) != new.get(key))


def revised_since_published(site: Path, dataset: Dataset, plan: Plan, quarter: Quarter,
                            batch: frozenset[str] = frozenset()) -> dict:
    """The What changed page's parameters: the edition it compares with (the plan's last edition
    before this one that is published, or published by this same build), the measures whose
    values up to that edition's end differ from those it saw when it was published, and which
    version that was."""
    previous = last_published(site, plan, quarter, batch)
    record = published_record(site, previous.id, EDITION_RECORD) if previous else None
    compared = {"compared_with": previous.id if previous else ""}
    if not record or not record.get("contents"):
        return {"revised": [], "revised_since": "", **compared}
    return {"revised": _changed(record["contents"], {"measures": measure_digests(dataset, previous)}, "measures"),
            "revised_since": f"{previous.label}, version {record['version']}", **compared}


def last_published(site: Path, plan: Plan, quarter: Quarter, batch: frozenset[str] = frozenset()) -> Quarter | None:
    """The plan's latest edition before ``quarter`` that is on the site or in this build."""
    earlier = plan.edition_before(quarter)
    while earlier is not None:
        if earlier.id in batch or published_record(site, earlier.id, EDITION_RECORD):
            return earlier
        earlier = plan.edition_before(earlier)
    return None


def changed_contents(site: Path, name: str, contents: dict, dataset: Dataset) -> str:
    """What differs from the published version, measure by measure and commitment by commitment."""
    before = (published_record(site, name, EDITION_RECORD) or {}).get("contents")
    if not before:
        return ""
    measures = [dataset.measure_label(m) for m in _changed(before, contents, "measures")]
    commitments = _changed(before, contents, "returns")
    said = ([f"values changed for {_count(len(measures), 'measure')}: {', '.join(measures)}"] if measures else []) + \
           ([f"returns changed for {_count(len(commitments), 'commitment')}: {', '.join(commitments)}"]
            if commitments else [])
    text = "; ".join(said)
    return text[0].upper() + text[1:] + "." if said else "No value or return changed."


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def plan_review(root: Path, dataset: Dataset, plan: Plan, site: Path, library: str, note: str | None,
                published: str) -> EditionPlan:
    """The notebooks of a plan's closure review: they see the data to the end of its end year,
    the finance table and every quarter's returns of the plan."""
    end = Quarter(plan.end_year, 4)
    finance = dataset.root / "finance.csv"
    observations = dataset.visible_digest(end)
    data = sha(observations, finance.read_bytes() if finance.exists() else b"")
    returns = sha(*[path.read_bytes() for q in quarters_between(plan.first_quarter, plan.last_quarter)
                     if (path := commentary.path_for(dataset.root / "commentary", q)).exists()])
    notebooks = {page: pages.notebook_text(root, page) for page in pages.review_pages(plan)}
    name = slug("closure", plan.id)
    print_file = _print_file(name)
    inputs = {"data": data, "commentary": returns, "code": sha(library, *notebooks.values()), "print": print_file,
              "settings": published}
    version, history = next_version(site, name, REVIEW_RECORD, inputs, note)
    planned = EditionPlan(name, None, plan, root / "_build" / "staging" / name, [], inputs, version, history,
                          _sees_modelled(dataset, end.end), print_file, _forks(root, notebooks), dataset.force.name)
    facts = {"produced": dt.date.today().isoformat()}
    for page, text in notebooks.items():
        kind = page.declared
        keyed, extra = told(kind, facts)
        if kind.sees == "quarter":  # the methods page, as of the review's last quarter
            parameters, sees = {**page.defaults, "quarter": end.id, "data_dir": str(dataset.root)}, (observations, library)
        else:
            parameters, sees = {**page.defaults, "data_dir": str(dataset.root)}, (data, returns, library)
        planned.jobs.append(_job(root, planned, page, text, parameters | keyed, extra, sees, 1))
    return planned


def plan_paper(root: Path, dataset: Dataset, strategy, quarter: Quarter, site: Path, library: str,
               note: str | None, published: str) -> EditionPlan:
    """A strategy's scrutiny paper for ``quarter``: one page that sees the data up to the
    quarter's end, the strategy and its delivery plan, and the quarter's strand returns."""
    from pcpbook.contracts import strand_returns
    from pcpbook.contracts.strategy import FOLDER
    strategy_files = sorted((dataset.root / FOLDER).glob(f"{strategy.id}*"))
    data = sha(dataset.visible_digest(quarter), *[path.read_bytes() for path in strategy_files])
    returns = sha(strand_returns.path_for(dataset.root, strategy.id, quarter).read_bytes())
    page = pages.paper_page(strategy.id, f"{strategy.title}: report for {quarter.label}")
    text = pages.notebook_text(root, page)
    name = slug("scrutiny", strategy.id, quarter.id)
    print_file = _print_file(name)
    inputs = {"data": data, "commentary": returns, "code": sha(library, text), "print": print_file,
              "settings": published}
    version, history = next_version(site, name, PAPER_RECORD, inputs, note)
    planned = EditionPlan(name, quarter, dataset.plan_for(quarter), root / "_build" / "staging" / name, [], inputs,
                          version, history, _sees_modelled(dataset, quarter.end), print_file,
                          _forks(root, {page: text}), dataset.force.name, strategy.title, strategy.id)
    keyed, extra = told(page.declared, {"version": version, "produced": dt.date.today().isoformat()})
    parameters = {**page.defaults, "quarter": quarter.id, "data_dir": str(dataset.root), **keyed}
    planned.jobs.append(_job(root, planned, page, text, parameters, extra, (data, returns, library), 1))
    return planned


def told(kind: PageKind, facts: dict) -> tuple[dict, dict]:
    """The build's facts a page kind is told: those part of its content key, and the others."""
    wanted = {fact: facts[fact] for fact in kind.told}
    return ({f: v for f, v in wanted.items() if f in KEYED_FACTS},
            {f: v for f, v in wanted.items() if f not in KEYED_FACTS})


def _print_file(name: str) -> str:
    return f"{slug(name)}.pdf" if printing.find_chromium() else ""


def _forks(root: Path, notebooks: dict) -> list[str]:
    return [page.fork.as_posix() for page in notebooks if page.is_forked(root)]


def _job(root: Path, planned: EditionPlan, page: pages.Page, text: str, parameters: dict, extra: dict, sees: tuple,
         weight: int) -> Job:
    """A notebook to run, keyed by its text, parameters and what it can see; ``extra``
    parameters (version, date produced) are not content but are part of the cached output."""
    content = sha(text, json.dumps(parameters, sort_keys=True), *sees)
    parameters = {**parameters, **extra}
    source = root / page.source(root)
    made_from = pages.shown(source, root)
    label = made_from if page.is_forked(root) else f"{page.staged.as_posix()} (made from {made_from})"
    return Job(planned.name, source, text, planned.stage / page.staged, page.staged.as_posix(), label, parameters,
               sha(content, json.dumps(parameters, sort_keys=True)), root / "_build" / "cache", weight)


def _sees_modelled(dataset: Dataset, until: dt.date) -> bool:
    seen = dataset.observations[dataset.observations["period_start"] <= until]
    return bool((seen["status"] == "modelled").any())


def published_record(site: Path, name: str, record_file: str) -> dict | None:
    return read_record(site / name / record_file)


def published_inputs(site: Path, name: str, record_file: str) -> str | None:
    record = published_record(site, name, record_file)
    return record.get("inputs_sha256") if record else None


def next_version(site: Path, name: str, record_file: str, inputs: dict, note: str | None) -> tuple[str, list[dict]]:
    """1.0 on first publication; a republished book with changed inputs goes up by 0.1 and
    its change log says which inputs changed."""
    today = dt.date.today().isoformat()
    record = published_record(site, name, record_file)
    if record is None:
        return "1.0", [{"version": "1.0", "date": today, "change": note or "First publication."}]
    changed = [name for name in ("data", "commentary", "code", "settings", "print")
               if record.get("inputs", {}).get(name) != inputs[name]]
    if not changed:
        return record["version"], record.get("history", [])
    major, minor = record["version"].split(".")
    version = f"{major}.{int(minor) + 1}"
    words = {"data": "corrected or added data", "commentary": "updated commentary returns",
             "code": "changed chapters or library", "settings": "changed settings (_config.yml or base URL)",
             "print": "adding its print edition (PDF)"}
    change = (note + " " if note else "") + "Republished after " + ", ".join(words[c] for c in changed) + "."
    return version, record.get("history", []) + [{"version": version, "date": today, "change": change}]
