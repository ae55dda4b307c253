"""Download public source files for ``python -m pcpbook ingest``; resumable, with progress bars.

Usage:
  python scripts/download.py police-uk 2024-03 [MONTH ...] [--to downloads/police-uk]
  python scripts/download.py stats19 2022 2023 [--tables collision casualty] [--to downloads/stats19]

A police.uk archive holds every force's files for the 36 months up to its month (several GB);
STATS19 files from 2019 are one per year, earlier years are in '1979-latest-published-year'.
Run again after a broken connection: finished files are kept and partial ones resume.
"""

import argparse
import sys
from pathlib import Path

from pcpbook.sources import download


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sources = parser.add_subparsers(dest="source", required=True)
    police = sources.add_parser("police-uk", help="data.police.uk monthly archives")
    police.add_argument("months", nargs="+", help="YYYY-MM or 'latest'")
    police.add_argument("--base-url", default=download.POLICE_UK_ARCHIVE)
    police.add_argument("--to", type=Path, default=Path("downloads/police-uk"))
    roads = sources.add_parser("stats19", help="DfT road safety data tables")
    roads.add_argument("years", nargs="+", help=f"2019 on, or one of: {', '.join(download.STATS19_SPANS)}")
    roads.add_argument("--tables", nargs="+", default=["collision", "casualty"], choices=download.STATS19_TABLES)
    roads.add_argument("--base-url", default=download.STATS19_BASE)
    roads.add_argument("--to", type=Path, default=Path("downloads/stats19"))
    for source in (police, roads):
        source.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    try:
        if args.source == "police-uk":
            urls = [download.police_uk_url(month, args.base_url) for month in args.months]
        else:
            urls = [download.stats19_url(table, year, args.base_url) for year in args.years for table in args.tables]
        for url in urls:
            path = download.fetch(url, args.to / url.rsplit("/", 1)[1], progress=not args.quiet)
            print(f"{path} ({path.stat().st_size:,} bytes)")
    except download.DownloadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
