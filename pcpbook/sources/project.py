"""A new book project for any force of England and Wales, from public data alone:
``python -m pcpbook init DIR --force "Kent Police"``.

The project holds only what is the force's own: its names in each source (force.yaml), a plan
skeleton, the catalogue of measures public data can supply, empty commentary returns and
folders for the extracts ``pcpbook ingest`` writes. The templates and the library stay in the
installed pcpbook, which its Makefile calls.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shlex
import shutil
import sys
from pathlib import Path

import yaml

from pcpbook.contracts.model import OBSERVATION_COLUMNS, PEER_GROUP_COLUMNS, POPULATION_COLUMNS, PUBLISHED_COLUMNS
from pcpbook.contracts.reference import format_reference
from pcpbook.core.periods import Quarter
from pcpbook.core.resources import REFERENCE
from pcpbook.sources.forces import find_force

PLAN_YEARS = 4  # a Police and Crime Plan runs for a commissioner's term


class ProjectError(ValueError):
    """A project that cannot be created where asked."""


def init(target: Path, force_name: str, first: str | None = None, last: str | None = None) -> Path:
    """Create a book project for the force called ``force_name`` in ``target`` (new or empty),
    with a plan from ``first`` to ``last`` quarter (default: four financial years from this one)."""
    force = find_force(force_name)
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise ProjectError(f"{target} is a file: init writes a new project into a new or empty folder")
    blocking = next((p for p in target.parents if p.exists() and not p.is_dir()), None)
    if blocking is not None:
        raise ProjectError(f"{blocking} is a file, so {target} cannot be made: name a folder")
    if target.exists() and any(target.iterdir()):
        raise ProjectError(f"{target} is not empty: init writes a new project into a new or empty folder")
    first_quarter = Quarter.parse(first) if first else Quarter(Quarter.containing(dt.date.today()).fy_start, 1)
    last_quarter = Quarter.parse(last) if last else Quarter(first_quarter.fy_start + PLAN_YEARS - 1, 4)
    if last_quarter < first_quarter:
        raise ProjectError(f"the last quarter {last_quarter} comes before the first {first_quarter}")
    data = target / "data"
    for folder in (data / "plans", data / "commentary", data / "extracts", target / "chapters" / "forks"):
        folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REFERENCE / "public-measures.yaml", data / "measures.yaml")
    measures = [entry["id"] for entry in yaml.safe_load((REFERENCE / "public-measures.yaml").read_text())]
    _write(data / "force.yaml", _force_yaml(force))
    _write(data / "sources.yaml", "# Documents that published figures cite: id: full citation.\n{}\n")
    _write(data / "observations.csv", ",".join(OBSERVATION_COLUMNS) + "\n")  # none modelled: extracts only
    _write(data / "published_figures.csv", ",".join(PUBLISHED_COLUMNS) + "\n")
    _write(data / "population.csv", ",".join(POPULATION_COLUMNS) + "\n")  # ingest ons-population fills it
    _write(data / "peer_group.csv", ",".join(PEER_GROUP_COLUMNS) + f"\n{force.short_name},"
                                    "the book's own force; add its most similar forces (the Home Office MSG) one a row\n")
    plan_id = f"{first_quarter.fy_start}-{last_quarter.fy_start + 1}"
    _write(data / "plans" / f"{plan_id}.yaml", _plan_yaml(force, plan_id, first_quarter, last_quarter, measures))
    _write(target / "_config.yml", _config_yaml(force))
    _write(target / "Makefile", _makefile())
    _write(target / "README.md", _readme(force, target))
    _write(target / "FORMATS.md", format_reference())
    shutil.copyfile(REFERENCE / "project-guide.md", target / "GUIDE.md")
    shutil.copyfile(REFERENCE / "commentary-returns.md", data / "commentary" / "README.md")
    _write(target / ".gitignore", "_build/\nchapters/**/figures/\n.ipynb_checkpoints/\n")
    return target


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def _force_yaml(force) -> str:
    return ("# The police force this book reports on, by the name each public source gives it.\n"
            + yaml.safe_dump({"name": force.name, "short_name": force.short_name, "police_uk": force.police_uk,
                              "home_office": force.home_office, "stats19": force.stats19}, sort_keys=False))


def _plan_yaml(force, plan_id: str, first: Quarter, last: Quarter, measures: list[str]) -> str:
    plan = {"id": plan_id, "title": f"Police and Crime Plan {first.fy_start}-{last.fy_start + 1}",
            "first_quarter": first.id, "last_quarter": last.id,
            "source": "the Police and Crime Plan: name the published document here",
            "priorities": [{"number": 1, "title": "Every measure with public data (a placeholder)",
                            "objective": "A placeholder priority that shows every measure the public data supply. "
                                         "Replace it with the plan's own priorities, each with its measures and "
                                         "commitments.",
                            "source": "placeholder", "measures": measures,
                            "commitments": [{"id": "1.1", "stage": "plan", "who": ["Performance analysis unit"],
                                             "text": "Replace this placeholder with the plan's commitments."}]}]}
    return (f"# A plan skeleton for {force.name}, written by `pcpbook init`: write the plan's priorities,\n"
            "# their measures (ids from measures.yaml) and commitments here.\n"
            + yaml.safe_dump(plan, sort_keys=False, allow_unicode=True, width=100))


def _config_yaml(force) -> str:
    """The reference configuration, comments kept, with the force's name in the book's title."""
    text = (REFERENCE / "project-config.yml").read_text(encoding="utf-8")
    title = json.dumps(f"{force.name}: Police and Crime Plan performance")
    return re.sub(r"^title: .*$", f"title: {title}", text, count=1, flags=re.M)


def _makefile() -> str:
    return f"""# The book's two commands: `make book` builds the latest quarter's edition, `make test` checks
# the data and returns. They use the pcpbook installed for this Python (PYTHON=... for another).
PYTHON ?= {sys.executable}
# QUARTER is never expanded or exported by make: it reaches the CLI single-quoted, which checks it
unexport QUARTER
quote = '$(subst ','"'"',$(value $(1)))'

.PHONY: book test

book:   ## build the latest quarter's edition (QUARTER=2024-25-Q1 for another)
\t$(PYTHON) -m pcpbook build $(if $(value QUARTER),--quarter $(call quote,QUARTER))

test:   ## check the data, the plan and the commentary returns, reporting every problem
\t$(PYTHON) -m pcpbook validate
"""


def _readme(force, target: Path) -> str:
    python = shlex.quote(sys.executable)  # the Python pcpbook is installed in, as the Makefile's PYTHON
    return f"""# {force.name}: Police and Crime Plan performance book

Made with pcpbook from public data alone. Two commands: `make test` checks the data, `make book`
builds the latest quarter's edition into `_build/site/`. The commands below use the Python that
pcpbook is installed in ({python}), as the Makefile does, so they work outside its environment too.

1. Fetch public data and ingest it (each command writes an extract the book reads):

   ```bash
   {python} -m pcpbook ingest police-uk ~/police-uk/        # writes data/extracts/police-uk.csv
   {python} -m pcpbook ingest stats19 --collisions collisions.csv --casualties casualties.csv
   {python} -m pcpbook ingest home-office prc-pfa-mar2013-onwards-tables.ods
   ```

   The force ({force.police_uk}; Home Office "{force.home_office}"; STATS19 code {force.stats19}) comes
   from `data/force.yaml`. To report by district too, list the force area's districts from the same
   police.uk files and the ONS estimates by local authority district, then ingest police.uk again:

   ```bash
   {python} -m pcpbook areas ~/police-uk/ --population population-local-authority-districts.csv
   ```

   and give each district its local policing area (`group`) in `data/areas.yaml`.
2. Write the plan in `data/plans/`: its priorities, their measures and commitments, replacing the
   placeholder priority, with the plan's own first and last quarters. `GUIDE.md` says how, and how
   to add a measure from your own system's extract; `FORMATS.md` describes every file, each with a
   worked example.
3. `make test`, then `make book`. Each quarter, `{python} -m pcpbook commentary template --quarter ...`
   writes the returns for the owning units to fill in.
"""
