"""Write the chapter notebooks and the root _toc.yml from the plans in data/plans.

Run after changing a plan. The root _toc.yml lists the latest plan, so `jupyter-book build .`
builds (and executes) the latest edition the plain way; `python -m pcpbook build` writes its
own table of contents for whichever plan is in force.

Usage: python scripts/make_chapters.py
"""

from pathlib import Path

from pcpbook import book, data

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    dataset = data.load(ROOT / "data")
    written = book.write_notebooks(dataset.plans, dataset.measures, ROOT)
    latest = dataset.plan_for(dataset.latest_quarter())
    book.write_toc(latest, ROOT / "_toc.yml")
    print(f"wrote {len(written)} notebooks and _toc.yml ({latest.title})")


if __name__ == "__main__":
    main()
