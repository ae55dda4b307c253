"""Command line: ``python -m pcpbook build|validate ...``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import commentary, edition
from .data import DataError, load
from .periods import PeriodError, Quarter


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pcpbook",
                                     description="Build the Police and Crime Plan performance book.")
    commands = parser.add_subparsers(dest="command", required=True)

    build = commands.add_parser("build", help="build and publish a quarter's edition")
    build.add_argument("--quarter", help="e.g. 2020-21-Q1 or '2020/21 Q1' (default: latest in the data)")
    build.add_argument("--data", type=Path, help="data folder (default: ./data)")
    build.add_argument("--site", type=Path, help="site folder (default: ./_build/site)")
    build.add_argument("--workers", type=int, help="chapters run in parallel (default: number of cores)")
    build.add_argument("--version", default="1.0", help="edition version (default 1.0)")
    build.add_argument("--verbose", action="store_true", help="show cell progress and build output")

    validate = commands.add_parser("validate", help="check the data and report every problem")
    validate.add_argument("--data", type=Path, default=Path("data"))

    returns = commands.add_parser("commentary", help="commentary returns from owning units")
    actions = returns.add_subparsers(dest="action", required=True)
    template = actions.add_parser("template", help="write a pre-filled return for every commitment")
    check = actions.add_parser("check", help="validate a quarter's returns")
    for action in (template, check):
        action.add_argument("--quarter", required=True, help="e.g. 2023-24-Q3")
        action.add_argument("--data", type=Path, default=Path("data"))
    template.add_argument("--out", type=Path, help="default: <data>/commentary/<quarter>.md (never overwritten)")
    check.add_argument("--file", type=Path, help="default: <data>/commentary/<quarter>.md")
    return parser


def _commentary(args) -> int:
    dataset = load(args.data)
    quarter = Quarter.parse(args.quarter)
    plan = dataset.plan_for(quarter)
    folder = args.data / "commentary"
    if args.action == "template":
        out = args.out or commentary.path_for(folder, quarter)
        if out.exists():
            print(f"error: {out} exists; not overwritten (use --out to write elsewhere)", file=sys.stderr)
            return 2
        previous_quarter = quarter.previous()
        previous = (commentary.load(folder, plan, previous_quarter) if plan.covers(previous_quarter) else None)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(commentary.template(plan, quarter, previous), encoding="utf-8")
        count = sum(len(p.commitments) for p in plan.priorities)
        print(f"wrote a return for {count} commitments of {plan.title} to {out}")
        return 0
    path = args.file or commentary.path_for(folder, quarter)
    if not path.exists():
        print(f"error: {path} does not exist", file=sys.stderr)
        return 2
    returns = commentary.check(path, plan, quarter)
    counts = returns.counts()
    print(f"{path}: valid; {len(returns.entries)} commitments: "
          + ", ".join(f"{counts[s]} {s}" for s in commentary.STATUSES if counts.get(s)))
    if returns.missing:
        print(f"no update received for {len(returns.missing)} commitment(s), shown in the book as "
              f"\"{commentary.NO_UPDATE_TEXT}\": {', '.join(returns.missing)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "commentary":
            return _commentary(args)
        if args.command == "validate":
            dataset = load(args.data)
            print(f"{args.data}: valid; {len(dataset.observations):,} observations, "
                  f"{len(dataset.measures)} measures, plans {', '.join(dataset.plans)}; "
                  f"latest quarter {dataset.latest_quarter()}")
            return 0
        quarter = Quarter.parse(args.quarter).id if args.quarter else None
        result = edition.build(Path.cwd(), quarter=quarter, data_dir=args.data, site=args.site,
                               workers=args.workers, version=args.version, verbose=args.verbose)
        print(f"built {result.quarter} ({result.plan_id}) in {result.timings['total']:.1f} s: "
              f"{result.path / 'index.html'}")
        return 0
    except (PeriodError, DataError, commentary.CommentaryError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except edition.BuildError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
