"""The YAML kinds of a data folder read to their contracts: force.yaml, sources.yaml, the
measure catalogue and the plans. Each problem names the file, the line and the field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pcpbook.contracts import kinds
from pcpbook.contracts.boundaries import read_outlines
from pcpbook.contracts.measure_kinds import MEASURE_KINDS
from pcpbook.contracts.model import (PEER_GROUP_COLUMNS, PEER_GROUP_FILE, Areas, Benchmarking, Commitment,
                                     Discontinuity, District, Force, Measure, Plan, Priority, Target)
from pcpbook.contracts.problems import Problem
from pcpbook.contracts.schema import conform
from pcpbook.core.periods import PeriodError, Quarter, fy_label, fy_start_date, parse_fy
from pcpbook.core.reading import ReadError, read_yaml


def _read_yaml_lines(path: Path, problems: list[Problem]):
    if not path.exists():
        problems.append(Problem(str(path), None, None, "file is missing"))
        return None
    try:
        return read_yaml(path)
    except ReadError as exc:
        problems.append(Problem(str(path), exc.line, None, str(exc)))
        return None


def read_force(path: Path, problems: list[Problem]) -> Force | None:
    """The force's names in each source; every field is required (a book for one force)."""
    if not path.exists():
        problems.append(Problem(str(path), None, None, "missing: the force this book reports on (name, short_name, "
                                                       "police_uk, home_office, stats19); see the README"))
        return None
    raw = _read_yaml_lines(path, problems)
    if isinstance(raw, dict) and "similar_forces" in raw:
        problems.append(Problem(str(path), raw.get("__line__"), "similar_forces", "the group of similar forces is "
                                f"{PEER_GROUP_FILE} (columns {', '.join(PEER_GROUP_COLUMNS)})"))
        return None
    checked = conform(kinds.ForceFile, raw, path, problems) if raw is not None else None
    return None if checked is None else Force(**checked.model_dump())


def read_areas(path: Path, problems: list[Problem]) -> Areas | None:
    """The force area's districts and their grouping; None without the (optional) file."""
    if not path.exists():
        return None
    raw = _read_yaml_lines(path, problems)
    checked = conform(kinds.AreasFile, raw, path, problems) if raw is not None else None
    if checked is None or _districts_repeated(path, raw["districts"], problems):
        return None
    districts = tuple(District(d.code, d.name, d.group) for d in checked.districts)
    if checked.boundaries is None:
        return Areas(checked.grouping, checked.source, checked.small_numbers, districts)
    outlines = read_outlines(path.parent / checked.boundaries.file, checked.boundaries.code,
                             [d.code for d in districts], problems)
    return Areas(checked.grouping, checked.source, checked.small_numbers, districts, outlines, checked.boundaries.file)


def _districts_repeated(path: Path, entries: list[dict], problems: list[Problem]) -> bool:
    """Whether a district's code or name (ignoring case) is given twice: each repeat is named."""
    before = len(problems)
    for key in ("code", "name"):
        first: dict[str, int] = {}
        for entry in entries:
            value = str(entry[key]).casefold()
            if value in first:
                problems.append(Problem(str(path), entry.get("__line__"), key, f"district {key} {entry[key]!r} is "
                                        f"given twice: first at line {first[value]}"))
            first.setdefault(value, entry.get("__line__"))
    return len(problems) > before


def read_sources(path: Path, problems: list[Problem]) -> dict[str, str]:
    """Documents that published figures cite: a mapping of key to citation."""
    raw = _read_yaml_lines(path, problems)
    if raw is None:
        return {}
    checked = conform(kinds.SourcesFile, {"documents": raw}, path, problems)
    return dict(checked.documents) if checked is not None else {}


def read_measures(path: Path, problems: list[Problem]) -> dict[str, Measure]:
    """The measure catalogue: each entry held to ``kinds.MeasureEntry``, then the rules that
    join entries (a base, parts or trend series must be other measures of the catalogue)."""
    raw = _read_yaml_lines(path, problems)
    if raw is None:
        return {}
    if not isinstance(raw, list):
        problems.append(Problem(str(path), None, None, "expected a list of measures"))
        return {}
    measures: dict[str, Measure] = {}
    for entry in raw:
        line = entry.get("__line__") if isinstance(entry, dict) else None
        checked = conform(kinds.MeasureEntry, entry, path, problems, line)
        if checked is None:
            continue
        measure = _measure(checked, path, line, problems)
        if measure is None:
            continue
        if measure.id in measures:
            problems.append(Problem(str(path), line, "id", f"measure {measure.id!r} is defined twice"))
            continue
        measures[measure.id] = measure
    written = {entry.get("id") for entry in raw if isinstance(entry, dict)}  # a rejected entry is reported already
    for measure in measures.values():
        _check_joins(measure, measures, written, path, problems)
    return measures


def _measure(entry: kinds.MeasureEntry, path: Path, line, problems: list[Problem]) -> Measure | None:
    """A catalogue entry's own rules, across its fields."""
    def bad(field_name: str, message: str) -> None:
        problems.append(Problem(str(path), line, field_name, message))

    test = entry.test or MEASURE_KINDS[entry.kind].default_test
    if test == "none" and not entry.test_note and entry.kind != "snapshot":
        return bad("test_note", "missing: say why no test applies")
    if test == "proportion" and entry.sample_size is None:
        return bad("sample_size", "a proportion test needs a positive whole sample_size per quarter")
    if test == "quasi_binomial" and (entry.kind != "percent" or not entry.benchmark or not entry.benchmark.base):
        return bad("test", "a quasi_binomial test is for a percentage of a count: kind percent, with the count "
                           "it is a share of as the benchmark's base")
    if entry.since is not None and (entry.since.day != 1 or entry.kind != "count"):
        return bad("since", f"got '{entry.since}': expected the first day of the month a count began, such as 2016-09-01")
    benchmark = entry.benchmark
    if benchmark is not None and (benchmark.unit == "percent") != (entry.kind == "percent"):
        return bad("benchmark", f"unit {benchmark.unit!r} does not fit a {entry.kind} measure: percentages compare "
                                "as percent, counts per population")
    if benchmark and benchmark.unit == "percent" and benchmark.base is None and entry.sample_size is None:
        return bad("benchmark", "a percentage compared across forces needs a base (the count measure it is a share "
                                "of) or a sample_size, for its funnel")
    if benchmark and (entry.polarity == "neutral") != (benchmark.best is not None):
        return bad("benchmark", "best (lowest or highest: which end of the ranking is position 1) is needed for a "
                                "neutral measure and only for one; other measures rank by their polarity")
    aspiration = benchmark.aspiration if benchmark else None
    if aspiration is not None and not isinstance(aspiration, str):
        aspiration = {"rank": aspiration.rank}
    breaks = tuple(Discontinuity(b.date, b.note, b.end, b.recording, b.source or "") for b in entry.discontinuities)
    return Measure(id=entry.id, label=entry.label, kind=entry.kind, polarity=entry.polarity, unit=entry.unit,
                   unit_one=entry.unit_one, noun=entry.noun, noun_one=entry.noun_one, verb=entry.verb,
                   source=entry.source, definition=entry.definition, discontinuities=breaks,
                   last_quarter=entry.last_quarter, test=test, test_note=entry.test_note or "",
                   sample_size=entry.sample_size, design_effect=entry.design_effect, decompose=entry.decompose, trend_test=entry.trend_test,
                   trend_series=entry.trend_series,
                   benchmark=Benchmarking(benchmark.unit, aspiration, benchmark.base,
                                          _ranking(entry.polarity, benchmark.best)) if benchmark else None,
                   per_day=entry.per_day and entry.kind == "count", since=entry.since, parts=entry.parts,
                   sensitive=entry.sensitive)


def _ranking(polarity: str, best: str | None) -> str:
    """The polarity positions are counted by: the measure's own, or its benchmark's ``best``."""
    return {"lowest": "down_is_good", "highest": "up_is_good"}.get(best, polarity)


def _check_joins(measure: Measure, measures: dict[str, Measure], written: set, path: Path,
                 problems: list[Problem]) -> None:
    """A measure's base, parts and trend series name other measures of the catalogue."""
    base = measure.benchmark.base if measure.benchmark else None
    if base is not None and (base not in written or (base in measures and measures[base].kind != "count")):
        problems.append(Problem(str(path), None, "benchmark", f"measure {measure.id!r}: base {base!r} is not a "
                                                              "count measure in the catalogue"))
    if measure.parts and (measure.kind != "count" or len(set(measure.parts)) < 2 or measure.id in measure.parts
                          or any(m not in written or (m in measures and measures[m].kind != "count")
                                 for m in measure.parts)):
        problems.append(Problem(str(path), None, "parts", f"measure {measure.id!r}: parts {list(measure.parts)} "
                                "must be two or more other count measures in the catalogue, of a count"))
    if measure.trend_series is not None and measure.trend_series not in measures:
        problems.append(Problem(str(path), None, "trend_series",
                                f"measure {measure.id!r} names {measure.trend_series!r}, which is not in the "
                                "catalogue"))


def read_plans(folder: Path, measures: dict[str, Measure], problems: list[Problem]) -> dict[str, Plan]:
    paths = sorted(folder.glob("*.yaml"))
    if not paths:
        problems.append(Problem(str(folder), None, None, "no plan files (*.yaml) found"))
    plans = {}
    for path in paths:
        plan = _load_plan(path, measures, problems)
        if plan is not None:
            plans[plan.id] = plan
    ordered = sorted(plans.values(), key=lambda p: p.first_quarter)
    for earlier, later in zip(ordered, ordered[1:]):
        if later.first_quarter <= earlier.last_quarter:
            problems.append(Problem(str(folder), None, "first_quarter",
                                    f"plans {earlier.id} and {later.id} overlap"))
    return {p.id: p for p in ordered}


def _load_plan(path: Path, measures: dict[str, Measure], problems: list[Problem]) -> Plan | None:
    """A plan held to ``kinds.PlanFile``, then its rules across fields: priorities numbered in
    order, commitment ids unique and under their priority, measures in the catalogue, targets
    possible and inside the plan's era."""
    raw = _read_yaml_lines(path, problems)
    if raw is None:
        return None
    checked = conform(kinds.PlanFile, raw, path, problems)
    if checked is None:
        return None
    before = len(problems)
    line = raw.get("__line__")

    def bad(where, field_name: str, message: str) -> None:
        problems.append(Problem(str(path), where, field_name, message))

    quarters = {}
    for key in ("first_quarter", "last_quarter"):
        try:
            quarters[key] = Quarter.parse(getattr(checked, key))
        except PeriodError as exc:
            bad(line, key, str(exc))
    numbers = [p.number for p in checked.priorities]
    if numbers != list(range(1, len(numbers) + 1)):
        bad(line, "priorities", f"expected priorities numbered 1..n in order, got {numbers}")
    if len(problems) > before:
        return None
    first, last = quarters["first_quarter"], quarters["last_quarter"]
    lines = _entry_lines(raw)
    seen: dict[str, int | None] = {}
    priorities = []
    for number, entry in enumerate(checked.priorities):
        for measure_id in entry.measures:
            if measure_id not in measures:
                bad(lines[number][0], "measures", f"unknown measure {measure_id!r}: not in measures.yaml")
        commitments = []
        for item, item_line in zip(entry.commitments, lines[number][1]):
            if item.id in seen:
                bad(item_line, "id", f"commitment id {item.id!r} is used twice (first at line {seen[item.id]})")
            seen.setdefault(item.id, item_line)
            if not item.id.startswith(f"{entry.number}."):
                bad(item_line, "id", f"commitment {item.id!r} should start with its priority number '{entry.number}.'")
            target = _target(item.target, entry.measures, measures,
                             lambda field_name, message, at=item_line: bad(at, f"target.{field_name}", message))
            commitments.append(Commitment(item.id, item.text, item.who, item.stage, item.source or entry.source,
                                          target))
        priorities.append(Priority(entry.number, entry.title, entry.objective, entry.measures, tuple(commitments),
                                   entry.source))
    baseline = _review_year(checked.review_baseline_year, first.fy_start - 1, "review_baseline_year", line, bad)
    end = _review_year(checked.review_end_year, last.fy_start, "review_end_year", line, bad)
    if baseline is not None and baseline >= first.fy_start:
        bad(line, "review_baseline_year", f"got {fy_label(baseline)}: the baseline year comes before the plan's "
                                          "first year")
    if end is not None and end < last.fy_start:
        bad(line, "review_end_year", f"got {fy_label(end)}: the end year cannot come before the plan's last year")
    if len(problems) > before:
        return None
    return Plan(checked.id, checked.title, first, last, checked.source, tuple(priorities), baseline, end,
                tuple(checked.stages.items()))


def _entry_lines(raw: dict) -> list[tuple[int | None, list[int | None]]]:
    """Each priority's line and its commitments' lines, for problems found after the schema."""
    found = []
    for entry in raw.get("priorities") or []:
        items = entry.get("commitments") or []
        found.append((entry.get("__line__"), [item.get("__line__", entry.get("__line__")) for item in items]))
    return found


def _review_year(text: str | None, default: int, key: str, line, bad) -> int | None:
    """An optional financial year such as 2015/16; by default the year before the plan
    (baseline) or the plan's last year (end)."""
    if text is None:
        return default
    try:
        return parse_fy(text)
    except PeriodError as exc:
        bad(line, key, str(exc))
        return None


def _target(raw: kinds.Target | None, priority_measures, measures: dict[str, Measure], bad):
    """A commitment's target, for one of its priority's measures and possible for that measure
    (the schema bounds its numbers and dates)."""
    if raw is None:
        return None
    if raw.measure not in priority_measures or raw.measure not in measures:
        return bad("measure", f"got {raw.measure!r}: expected one of the priority's measures")
    measure, kind = measures[raw.measure], raw.kind
    amount = getattr(raw, kind)
    if kind == "rank" and measure.benchmark is None:
        return bad(kind, "expected a position of 1 or more, for a measure compared with similar forces "
                         "(a benchmark block in measures.yaml)")
    if measure.kind == "percent" and kind == "level" and amount > 100:
        return bad(kind, f"got {amount:g}: a percentage cannot exceed 100")
    baseline, baseline_fy = _target_baseline(raw.baseline, kind, measure, bad)
    if baseline is None and kind != "rank":
        return None
    if baseline is not None and baseline >= raw.by:
        return bad("by", f"got {raw.by}: the target date must come after the baseline")
    return Target(raw.measure, kind, float(amount), raw.by, raw.source, baseline, baseline_fy, raw.unlike or "")


def _target_baseline(raw, kind: str, measure: Measure, bad) -> tuple[dt.date | None, bool]:
    """A target's baseline: a date for a headcount, the first day of a financial year otherwise."""
    if kind == "rank":
        if raw is not None:
            bad("baseline", "a rank target has no baseline: it is judged on the position alone")
        return None, False
    if measure.kind == "snapshot":
        if isinstance(raw, dt.date):
            return raw, False
        bad("baseline", f"got {str(raw)[:40]!r}: a headcount's baseline is a date such as 2016-04-30")
        return None, False
    try:
        start = fy_start_date(parse_fy(str(raw)))
        if start < kinds.DAYS_FROM:
            raise PeriodError(f"before {kinds.DAYS_FROM.year}")
        return start, True
    except PeriodError:
        bad("baseline", f"got {str(raw)[:40]!r}: a {measure.kind}'s baseline is a financial year such as 2015/16")
        return None, False
