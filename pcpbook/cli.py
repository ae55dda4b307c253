"""Command line: ``python -m pcpbook build|validate ...``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import edition
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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
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
    except (PeriodError, DataError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except edition.BuildError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
