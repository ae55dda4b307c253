"""Command line: ``python -m pcpbook build|closure|fork|pages|ingest|benchmark|validate|commentary ...``."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from pcpbook.build import edition
from pcpbook.contracts import commentary
from pcpbook.contracts.catalogue import read_areas
from pcpbook.contracts.dataset import load, load_force
from pcpbook.contracts.model import AREAS_FILE, EXTRACTS, POPULATION_COLUMNS, POPULATION_FILE
from pcpbook.contracts.problems import DataError, Problem
from pcpbook.contracts.records import RecordError
from pcpbook.contracts.settings import SettingsError, data_folder
from pcpbook.core.outputs import UnsafeName, write_frame
from pcpbook.core.periods import PeriodError, Quarter
from pcpbook.present import pages

DATA_HELP = "data folder (default: the 'pcpbook: data:' setting in _config.yml, else ./data)"


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"got {text!r}: expected a whole number of at least 1") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pcpbook",
                                     description="Build the Police and Crime Plan performance book.")
    parser.add_argument("--project", type=Path, default=Path("."),
                        help="the book project to work on (default: the current folder)")
    commands = parser.add_subparsers(dest="command", required=True)

    start = commands.add_parser("init", help="start a book project for a force, from public data alone")
    start.add_argument("folder", type=Path, help="the new project's folder (new or empty)")
    start.add_argument("--force", required=True, help="the force, as police.uk or the Home Office name it "
                                                      "('Kent Police' or 'Kent')")
    start.add_argument("--first-quarter", help="the plan's first quarter, e.g. 2024-25-Q1 (default: this year's Q1)")
    start.add_argument("--last-quarter", help="the plan's last quarter (default: four financial years on)")

    build = commands.add_parser("build", help="build and publish editions (default: the latest quarter)")
    which = build.add_mutually_exclusive_group()
    which.add_argument("--quarter", help="e.g. 2020-21-Q1 or '2020/21 Q1' (default: latest in the data)")
    which.add_argument("--all", action="store_true", help="every quarter of every plan up to the latest")
    closure = commands.add_parser("closure", help="build and publish a plan's closure review")
    reviews = closure.add_mutually_exclusive_group(required=True)
    reviews.add_argument("--plan", help="plan id, e.g. 2016-2021")
    reviews.add_argument("--all", action="store_true", help="every plan whose end year the data complete")
    paper = commands.add_parser("scrutiny", help="build and publish a strategy's scrutiny paper for a quarter")
    paper.add_argument("--strategy", required=True, help="the strategy's id, e.g. crime-prevention-2018-2021")
    paper.add_argument("--quarter", required=True, help="e.g. 2021-22-Q2")
    for command in (build, closure, paper):
        command.add_argument("--data", type=Path, help=DATA_HELP)
        command.add_argument("--site", type=Path, help="site folder (default: ./_build/site)")
        command.add_argument("--workers", type=_whole_number, help="notebooks run in parallel (default: number of cores)")
        command.add_argument("--rebuild", action="store_true", help="rebuild even if nothing changed")
        command.add_argument("--note", help="change-log note for a republished book")
        command.add_argument("--base-url", default="/", help="URL path the site is served from (default: /)")
        command.add_argument("--verbose", action="store_true", help="show cell progress and build output")

    sources = commands.add_parser("ingest", help="turn public data files into observation rows")
    adapters = sources.add_subparsers(dest="adapter", required=True)
    police = adapters.add_parser("police-uk", help="police.uk archive street files: monthly counts by crime type")
    police.add_argument("paths", nargs="+", help="street CSV files, folders, globs or monthly zip archives")
    police.add_argument("--force", help="the force's name in the files' 'Falls within' column (default: police_uk "
                                        "in the project's force.yaml; 'all' keeps every force)")
    roads = adapters.add_parser("stats19", help="DfT road safety data: monthly casualties by severity")
    roads.add_argument("--collisions", type=Path, required=True, help="collisions (or accidents) CSV")
    roads.add_argument("--casualties", type=Path, required=True, help="casualties CSV")
    roads.add_argument("--force", type=int, help="STATS19 police_force code (default: stats19 in force.yaml)")
    office = adapters.add_parser("home-office", help="Home Office police recorded crime: the quarterly open data table "
                                                      "or the rolling 12-month table by force area (CSV, .ods, .xlsx)")
    office.add_argument("path", type=Path)
    office.add_argument("--force", help="force name as in the table (default: home_office in force.yaml; "
                                        "'all' keeps every force of England and Wales)")
    staff = adapters.add_parser("home-office-workforce", help="Home Office police workforce by force: officers, staff, "
                                                              "PCSOs and special constables at 31 March")
    staff.add_argument("path", type=Path)
    staff.add_argument("--force", help="force name (default: home_office in force.yaml; 'all' keeps every force)")
    for adapter in (police, roads, office, staff):
        adapter.add_argument("--out", type=Path, help="observations CSV to write (default: the project's "
                                                        "data/extracts/<source>.csv, which the book reads)")
    people = adapters.add_parser("ons-population", help="ONS mid-year population estimates by police force area "
                                                        "(wide: year, then a column per area) as population.csv")
    people.add_argument("path", type=Path)
    people.add_argument("--out", type=Path, help="population table to write (default: the project's "
                                                 "data/population.csv; an existing file is not replaced)")
    for adapter in (police, roads, office, staff, people):
        adapter.add_argument("--data", type=Path, help=DATA_HELP + "; its force.yaml gives the default force")

    compare = commands.add_parser("benchmark", help="compare every force (or a group) on each measure for a period: "
                                                    "a CSV of positions, averages, changes required and funnels")
    compare.add_argument("--observations", type=Path, nargs="+", required=True,
                         help="observation CSVs, such as ingest home-office --force all writes")
    compare.add_argument("--population", type=Path, required=True, help="population table (as ingest ons-population "
                                                                         "writes)")
    compare.add_argument("--period", required=True, help="a financial year (2017-18) or the 12 months to a quarter's "
                                                         "end (2020-21-Q4)")
    compare.add_argument("--group", type=Path, help="CSV of the forces compared (columns force, source, as "
                                                    "data/peer_group.csv); default: every force with figures")
    compare.add_argument("--measure", help="one measure (default: every measure in the files with a unit of comparison)")
    compare.add_argument("--out", type=Path, required=True, help="CSV to write, a row per measure and force")
    compare.add_argument("--data", type=Path, help=DATA_HELP + "; its measures.yaml says how each measure compares")

    fork = commands.add_parser("fork", help="make a page of a plan's book the analyst's own notebook "
                                            "(the build then uses it in every edition), or list or drop forks")
    fork.add_argument("--plan", help="plan id, e.g. 2021-2024")
    page = fork.add_mutually_exclusive_group()
    page.add_argument("--priority", type=_whole_number, help="the priority's chapter, by its number in the plan")
    page.add_argument("--page", help="intro, compare or methods; with --closure: summary, finance, register or methods")
    fork.add_argument("--closure", action="store_true", help="a page of the plan's closure review")
    fork.add_argument("--drop", action="store_true", help="remove the fork: the page is made from its template again")
    fork.add_argument("--list", action="store_true", help="list the forks and the pages they replace")
    fork.add_argument("--data", type=Path, help=DATA_HELP)
    pages_command = commands.add_parser("pages", help="list every page of each plan's books and the template or "
                                                      "fork it is made from")
    pages_command.add_argument("--data", type=Path, help=DATA_HELP)

    commands.add_parser("formats", help="print the reference of the YAML file formats (made from their contracts)")

    areas = commands.add_parser("areas", help="list the force area's districts from public data: the districts its "
                                              "police.uk rows lie in, with ONS codes and populations (areas.yaml)")
    areas.add_argument("paths", nargs="+", help="the force's police.uk street files, folders, globs or zip archives")
    areas.add_argument("--population", type=Path, required=True,
                       help="ONS mid-year estimates by local authority district (ladcode19, laname19, year, population)")
    areas.add_argument("--data", type=Path, help=DATA_HELP)

    withdrawn = commands.add_parser("withdraw", help="withdraw a published edition, with a notice saying why")
    withdrawn.add_argument("--quarter", required=True, help="the edition's quarter, e.g. 2024-25-Q1")
    withdrawn.add_argument("--reason", required=True, help="why it is withdrawn, in one line (shown on every page)")
    withdrawn.add_argument("--site", type=Path, help="site folder (default: ./_build/site)")
    withdrawn.add_argument("--base-url", default="/", help="URL path the site is served from (default: /)")
    pending = commands.add_parser("pending", help="list quarters with data but no published edition (for scheduled runs)")
    pending.add_argument("--data", type=Path, help=DATA_HELP)
    pending.add_argument("--site", type=Path, help="site folder (default: ./_build/site)")

    validate = commands.add_parser("validate", help="check the data and report every problem")
    validate.add_argument("--data", type=Path, help=DATA_HELP)

    returns = commands.add_parser("commentary", help="commentary returns from owning units")
    actions = returns.add_subparsers(dest="action", required=True)
    template = actions.add_parser("template", help="write a pre-filled return for every commitment")
    check = actions.add_parser("check", help="validate a quarter's returns")
    for action in (template, check):
        action.add_argument("--quarter", required=True, help="e.g. 2023-24-Q3")
        action.add_argument("--data", type=Path, help=DATA_HELP)
    template.add_argument("--out", type=Path, help="default: <data>/commentary/<quarter>.md (never overwritten)")
    check.add_argument("--file", type=Path, help="default: <data>/commentary/<quarter>.md")

    strategy = commands.add_parser("strategy", help="a strategy's quarterly strand returns, for its scrutiny paper")
    strategy_actions = strategy.add_subparsers(dest="action", required=True)
    strand_template = strategy_actions.add_parser("template", help="write a pre-filled return for every strand")
    strand_check = strategy_actions.add_parser("check", help="validate a quarter's strand returns")
    for action in (strand_template, strand_check):
        action.add_argument("--strategy", required=True, help="the strategy's id, e.g. crime-prevention-2018-2021")
        action.add_argument("--quarter", required=True, help="e.g. 2021-22-Q2")
        action.add_argument("--data", type=Path, help=DATA_HELP)
    strand_template.add_argument("--out", type=Path, help="default: <data>/strategy-returns/<strategy>/<quarter>.md "
                                                          "(never overwritten)")
    strand_check.add_argument("--file", type=Path, help="default: <data>/strategy-returns/<strategy>/<quarter>.md")
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


def _fork(args) -> int:
    root, plans = args.project, load(args.data).plans
    if args.list:
        found = pages.forks(root, plans)
        for path, page in found:
            if page is None:
                print(f"{path}: matches no page of any plan, so no build uses it")
            else:
                changed = " (its template has changed since)" if pages.template_changed(root, page) else ""
                print(f"{path}: replaces {page.staged} of {page.book}{changed}")
        if not found:
            print(f"no forks in {root / pages.FORKS}: every page is made from its template")
        return 0
    if not args.plan or (args.priority is None and not args.page):
        raise pages.PageError("name the page: --plan and --priority N or --page NAME (or use --list)")
    if args.plan not in plans:
        raise pages.PageError(f"no plan {args.plan!r}; plans: {', '.join(plans)}")
    page = pages.find_page(plans[args.plan], args.priority, args.page, args.closure)
    if args.drop:
        print(f"removed {pages.drop_fork(root, page)}: {page.staged} of {page.book} is made from "
              f"{pages.shown(page.template(root), root)} again")
    else:
        print(f"wrote {pages.fork(root, page)}: the build now makes {page.staged} of {page.book} from it; "
              f"open it in Jupyter to change it (python -m pcpbook fork --drop ... undoes)")
    return 0


def _strategy(args) -> int:
    from pcpbook.contracts import strand_returns
    from pcpbook.contracts.strategy import find_strategy
    dataset = load(args.data)
    strategy, quarter = find_strategy(dataset, args.strategy), Quarter.parse(args.quarter)
    default = strand_returns.path_for(dataset.root, strategy.id, quarter)
    if args.action == "check":
        returns = strand_returns.check(args.file or default, strategy, quarter)
        counts = returns.counts()
        print(f"{args.file or default}: valid; {sum(counts.values())} actions: "
              + ", ".join(f"{counts.get(s, 0)} {s}" for s in strand_returns.STATUSES))
        return 0
    out = args.out or default
    if out.exists():
        raise strand_returns.StrandReturnsError([Problem(str(out), None, None, "exists and is never overwritten")])
    before = strand_returns.path_for(dataset.root, strategy.id, quarter.previous())
    previous = strand_returns.check(before, strategy, quarter.previous()) if before.exists() else None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(strand_returns.template(strategy, quarter, previous, previous.cover if previous else {}),
                   encoding="utf-8")
    print(f"wrote {out}: a section for each of the {len(strategy.strands)} strands and a status line for each of its "
          f"{len(strategy.actions)} actions")
    return 0


def _pages(args) -> int:
    root = args.project
    for plan in load(args.data).plans.values():
        for page in pages.edition_pages(plan) + pages.review_pages(plan):
            print(f"{page.book}: {page.staged} <- {pages.shown(page.source(root), root)}")
    return 0


def _user_errors() -> tuple:
    """The errors bad input or settings cause, reported in a line each. The review and ingest
    modules are heavy and loaded only when used: if one is not loaded, it raised nothing."""
    errors = [PeriodError, DataError, commentary.CommentaryError, SettingsError, pages.PageError, RecordError,
              UnsafeName]
    for module, name in (("pcpbook.present.review", "ReviewError"), ("pcpbook.sources.ingest", "IngestError"),
                         ("pcpbook.sources.project", "ProjectError"), ("pcpbook.sources.forces", "ForceError"),
                         ("pcpbook.analysis.benchmark_table", "BenchmarkCommandError"),
                         ("pcpbook.contracts.strand_returns", "StrandReturnsError"),
                         ("pcpbook.build.withdrawal", "WithdrawalError")):
        if module in sys.modules:
            errors.append(getattr(sys.modules[module], name))
    return tuple(errors)


def _ingest(args) -> int:
    from pcpbook.sources import ingest
    started = time.perf_counter()
    if args.adapter == "ons-population":
        return _ingest_population(args, ingest)
    # the project's own force (force.yaml) unless --force names another; its rows then carry the
    # book's short name for the force, so the book finds them
    own = load_force(args.data) if args.force is None else None
    force = args.force if own is None else {"police-uk": own.police_uk, "stats19": own.stats19,
                                            "home-office": own.home_office,
                                            "home-office-workforce": own.home_office}[args.adapter]
    geography = own.short_name if own else None
    if args.adapter == "police-uk":
        result = ingest.police_uk(args.paths, force=None if force == "all" else force, geography=geography,
                                  districts=_districts(args.data) if own else None)
    elif args.adapter == "stats19":
        result = ingest.stats19(args.collisions, args.casualties, force=force, geography=geography)
    elif args.adapter == "home-office":
        result = ingest.home_office(args.path, force=force, geography=geography)
    else:
        result = ingest.workforce(args.path, force=force, geography=geography)
    out = args.out or args.data / EXTRACTS / f"{args.adapter}.csv"
    merged, notes = ingest.merge_into(out, result.observations)
    ingest.write_observations(merged, out)
    print(f"{result.summary()}; wrote {out} in {time.perf_counter() - started:.1f} s")
    for note in notes:
        print(f"note: {note}")
    return 0


def _districts(data: Path) -> dict[str, str] | None:
    """The project's districts (areas.yaml) by name, for counting police.uk rows by district."""
    problems: list[Problem] = []
    areas = read_areas(data / AREAS_FILE, problems)
    if problems:
        raise DataError(problems)
    return {d.name: d.code for d in areas.districts} if areas else None


def _areas(args) -> int:
    from pcpbook.sources.areas import districts_from_public, write_areas
    found = districts_from_public(args.paths, load_force(args.data).police_uk, args.population)
    areas_path, population_path = write_areas(found, args.data)
    print(f"{len(found.districts)} districts hold {found.located:,} of the force's located rows: wrote {areas_path} "
          f"(add each district's local policing area as its group) and their populations to {population_path}")
    if found.left_out:
        most = sorted(found.left_out.items(), key=lambda item: -item[1])[:3]
        print(f"note: left out {len(found.left_out)} other districts holding {sum(found.left_out.values()):,} of the "
              f"force's rows between them, too few to be its own (crimes it recorded elsewhere); the most: "
              + ", ".join(f"{name} ({rows})" for name, rows in most))
    return 0


def _ingest_population(args, ingest) -> int:
    out = args.out or args.data / POPULATION_FILE
    if args.out is None and out.exists() and len(out.read_text(encoding="utf-8").splitlines()) > 1:
        raise ingest.IngestError([Problem(str(out), None, None, "exists and is not replaced (it has rows): move it, or "
                                          "pass --out to write the table elsewhere")])
    table = ingest.ons_population(args.path)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_frame(out, table, list(POPULATION_COLUMNS))
    print(f"{table['geography'].nunique()} force areas, mid-{table['year'].min()} to mid-{table['year'].max()}: "
          f"wrote {len(table):,} rows to {out}")
    return 0


def _benchmark(args) -> int:
    from pcpbook.analysis import benchmark_table
    rows, notes = benchmark_table.benchmark(load(args.data), args.observations, args.population, args.period,
                                            args.group, args.measure)
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    out = benchmark_table.write(rows, args.out)
    print(f"{len(rows)} rows ({len({r['measure'] for r in rows})} measure(s), {len({r['force'] for r in rows})} "
          f"forces): wrote {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    args.project = args.project.resolve()
    try:
        if "data" in args:
            args.data = data_folder(args.project, args.data)
        if args.command == "init":
            from pcpbook.sources.project import init
            made = init(args.folder, args.force, args.first_quarter, args.last_quarter)
            [plan] = load(made / "data").plans.values()
            print(f"wrote a book project for {load_force(made / 'data').name} in {made}: ingest public data "
                  f"into {made / 'data' / 'extracts'}, write the plan in {made / 'data' / 'plans'}, then make book. "
                  f"The plan runs from {plan.first_quarter} to {plan.last_quarter}: if your data end before it "
                  "starts, give the plan's own quarters (--first-quarter, --last-quarter); make test checks")
            return 0
        if args.command == "commentary":
            return _commentary(args)
        if args.command == "ingest":
            return _ingest(args)
        if args.command == "benchmark":
            return _benchmark(args)
        if args.command == "strategy":
            return _strategy(args)
        if args.command == "fork":
            return _fork(args)
        if args.command == "pages":
            return _pages(args)
        if args.command == "formats":
            from pcpbook.contracts.reference import format_reference
            print(format_reference())
            return 0
        if args.command == "areas":
            return _areas(args)
        if args.command == "withdraw":
            from pcpbook.build.withdrawal import withdraw
            folder = withdraw(args.project, args.quarter, args.reason, args.site, args.base_url)
            print(f"withdrew {folder.name}: every page says so, and the landing page, feed and switcher")
            return 0
        if args.command == "pending":
            for quarter in edition.unpublished(args.project, args.data, args.site):
                print(quarter.id)
            return 0
        if args.command == "validate":
            dataset = load(args.data)
            dataset.check_plans_cover_figures()
            from pcpbook.contracts.strategy import load_strategies
            strategies = load_strategies(dataset)  # the strategies are data too: a misspelt key there is refused
            print(f"{args.data}: valid; {len(dataset.observations):,} observations, "
                  f"{len(dataset.measures)} measures, plans {', '.join(dataset.plans)}"
                  + (f", strategies {', '.join(strategies)}" if strategies else "")
                  + (f", {len(dataset.areas.districts)} districts" if dataset.areas else "") + "; "
                  f"latest quarter {dataset.latest_quarter()}")
            return 0
        started = time.perf_counter()
        options = dict(data_dir=args.data, site=args.site, workers=args.workers, verbose=args.verbose,
                       rebuild=args.rebuild, note=args.note, base_url=args.base_url)
        if args.command == "scrutiny":
            result = edition.build_paper(args.project, args.strategy, args.quarter, **options)
            print(f"scrutiny paper {result.path.name} v{result.version}: {result.status}: {result.path / 'index.html'} "
                  f"({time.perf_counter() - started:.1f} s)")
            return 0
        if args.command == "closure":
            plans = [p.id for p in edition.reviewable_plans(load(args.data))] if args.all else [args.plan]
            for plan_id in plans:
                result = edition.build_closure(args.project, plan_id, **options)
                print(f"closure review of {result.plan_id} v{result.version}: {result.status}: "
                      f"{result.path / 'index.html'} ({time.perf_counter() - started:.1f} s)")
            if not plans:
                print("no plan's end year is complete in the data: no closure review to build")
            return 0
        quarters = "all" if args.all else [Quarter.parse(args.quarter).id] if args.quarter is not None else None
        results = edition.build_many(args.project, quarters, **options)
        for result in results:
            print(f"{result.quarter} ({result.plan_id}) v{result.version}: {result.status}: "
                  f"{result.path / 'index.html'}")
        built = sum(r.status == "built" for r in results)
        kept = sum(r.status.startswith("kept") for r in results)
        print(f"{built} edition(s) built, {len(results) - built - kept} up to date"
              + (f", {kept} kept as published" if kept else "") + f", in {time.perf_counter() - started:.1f} s")
        if args.note and not built:
            print("note: --note was not recorded: nothing changed, so no new version was made to carry it",
                  file=sys.stderr)
        return 0
    except _user_errors() as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except edition.BuildError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a folder where a file belongs, a read-only or full disk: named, in a line
        if isinstance(exc, BrokenPipeError):
            raise  # the reader stopped reading: __main__ ends quietly
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
