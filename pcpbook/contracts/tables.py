"""The CSV kinds of a data folder read row by row: observations, published figures,
population, the peer group and finance. Each problem names the file, the line and the field."""

from __future__ import annotations

import math
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

from pcpbook.contracts import kinds
from pcpbook.contracts.glyphs import chart_text_problem
from pcpbook.contracts.model import (FINANCE_COLUMNS, FINANCE_ITEMS, FORCE_FILE, OBSERVATION_COLUMNS,
                                     PEER_GROUP_COLUMNS, PERIOD_MONTHS, PERIODS, POPULATION_COLUMNS, PUBLISHED_COLUMNS,
                                     STATUSES, SURPLUS_TOLERANCE, Force, Measure, shown_rows)
from pcpbook.contracts.problems import Problem
from pcpbook.core.periods import PeriodError, Quarter, add_months, fy_label, parse_date, parse_fy
from pcpbook.core.reading import ReadError, csv_rows, whole_number

if TYPE_CHECKING:  # pandas is imported where frames are made, so a build with nothing to do never loads it
    import pandas as pd


def _read_csv(path: Path, columns: tuple[str, ...], problems: list[Problem]) -> list[tuple[int, dict]]:
    """The rows of a CSV with exactly ``columns``; a problem repeated on many rows is reported
    once, with how many rows and the first few lines."""
    if not path.exists():
        problems.append(Problem(str(path), None, None, "file is missing"))
        return []
    rows, bad_rows = [], {}
    try:
        for item in csv_rows(path, columns):
            if isinstance(item, ReadError):
                bad_rows.setdefault(str(item), []).append(item.line)
            else:
                rows.append(item)
    except ReadError as exc:
        problems.append(Problem(str(path), exc.line, exc.field, str(exc)))
        return []
    for message, lines in bad_rows.items():
        more = f" (and {len(lines) - 1:,} more rows, lines {', '.join(map(str, lines[1:4]))} ...)" if len(lines) > 1 else ""
        problems.append(Problem(str(path), lines[0], None, message + more))
    return rows


def _parse_row(path: Path, line: int, row: dict, measures: dict[str, Measure],
               problems: list[Problem]) -> dict | None:
    """Validate the fields common to observations and published figures."""
    before = len(problems)

    def bad(field_name: str, message: str):
        problems.append(Problem(str(path), line, field_name, message))

    measure = measures.get(row["measure"])
    if measure is None:
        bad("measure", f"unknown measure {row['measure']!r}: not in measures.yaml")
    if not row["geography"].strip():
        bad("geography", f"missing: expected a geography, such as the force's short_name in {FORCE_FILE}")
    period = row["period"]
    if period not in PERIODS:
        bad("period", f"got {period!r}: expected one of {', '.join(PERIODS)}")
    try:
        start = parse_date(row["period_start"])
    except ValueError:
        bad("period_start", f"got {row['period_start']!r}: expected a date YYYY-MM-DD")
        start = None
    if start is not None and not kinds.DAYS_FROM <= start <= kinds.DAYS_TO:
        bad("period_start", f"got {row['period_start']}: expected a date from {kinds.DAYS_FROM.year} to "
                            f"{kinds.DAYS_TO.year}")
        start = None
    if start is not None and period in PERIOD_MONTHS and start.day != 1:
        bad("period_start", f"got {row['period_start']}: a {period} must start on the first of a month")
    if start is not None and period == "quarter" and Quarter.containing(start).start != start:
        bad("period_start", f"got {row['period_start']}: a quarter starts in April, July, October or January")
    if start is not None and period == "fy" and (start.month, start.day) != (4, 1):
        bad("period_start", f"got {row['period_start']}: a financial year starts on 1 April")
    value = _number(row["value"])
    if value is None:
        bad("value", f"got {row['value']!r}: expected a number")
    if value is not None and value < 0:
        bad("value", f"got {row['value']}: counts, headcounts and percentages cannot be negative")
    if value is not None and measure is not None and measure.kind == "percent" and value > 100:
        bad("value", f"got {row['value']}: a percentage cannot exceed 100")
    if value is not None and measure is not None and measure.test == "poisson" and not float(value).is_integer():
        bad("value", f"got {row['value']}: {measure.id} counts events, so its values are whole numbers")
    if measure is not None and period in PERIODS:
        if measure.kind == "snapshot" and period != "snapshot":
            bad("period", f"measure {measure.id} is a snapshot (headcount): expected period 'snapshot'")
        if measure.kind != "snapshot" and period == "snapshot":
            bad("period", f"measure {measure.id} is a {measure.kind}: 'snapshot' is only for headcounts")
    if len(problems) > before:
        return None
    return {"measure": row["measure"], "geography": row["geography"].strip(), "period_start": start,
            "period": period, "value": value}


def _number(text: str) -> float | None:
    """A finite number, or None."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


class _RowProblem(Exception):
    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name


def _load_values(path: Path, columns: tuple[str, ...], measures: dict[str, Measure],
                 problems: list[Problem], provenance) -> pd.DataFrame:
    """Rows of values from a CSV; ``provenance(row)`` checks the file's own columns and
    returns the row's (source, status), or raises ``_RowProblem``."""
    records = []
    for line, row in _read_csv(path, columns, problems):
        record = _parse_row(path, line, row, measures, problems)
        try:
            source, status = provenance(row)
        except _RowProblem as exc:
            problems.append(Problem(str(path), line, exc.field, str(exc)))
            continue
        if record is not None:
            records.append({**record, "source": source, "status": status, "file": path.name, "line": line})
    return observation_frame(records)


def read_observations(path: Path, measures: dict[str, Measure], problems: list[Problem]) -> pd.DataFrame:
    def provenance(row):
        if row["status"] not in STATUSES:
            raise _RowProblem("status", f"got {row['status']!r}: expected one of {', '.join(STATUSES)}")
        if not row["source"].strip():
            raise _RowProblem("source", "missing: expected where the value comes from")
        return row["source"], row["status"]
    return _load_values(path, OBSERVATION_COLUMNS, measures, problems, provenance)


def read_published(path: Path, measures: dict[str, Measure], sources: dict[str, str],
                    problems: list[Problem]) -> pd.DataFrame:
    def provenance(row):
        if row["document"] not in sources:
            raise _RowProblem("document", f"unknown document {row['document']!r}: not in sources.yaml")
        if not row["reference"].strip():
            raise _RowProblem("reference", "missing: expected the page, section or paragraph cited")
        return f"{row['document']} {row['reference']}", "published"
    return _load_values(path, PUBLISHED_COLUMNS, measures, problems, provenance)


def observation_frame(records: list[dict]) -> pd.DataFrame:
    return frame_of(records, ["measure", "geography", "period_start", "period", "value", "source", "status", "file",
                               "line"])


def frame_of(records: list, columns: list[str]) -> pd.DataFrame:
    import pandas as pd
    return pd.DataFrame.from_records(records, columns=columns)


def check_observations(observations: pd.DataFrame, measures: dict[str, Measure], problems: list[Problem]) -> None:
    """The rules across rows of every observation file together: one row a key, text a chart
    can draw, totals that agree, parts that add up to their whole."""
    _check_duplicates(observations, problems)
    _check_text_fields(observations, problems)
    _check_totals_agree(observations, problems)
    _check_parts_add_up(observations, measures, problems)


def _check_duplicates(observations: pd.DataFrame, problems: list[Problem]) -> None:
    key = ["measure", "geography", "period_start", "period", "status"]
    repeated = observations[observations.duplicated(key, keep=False)]
    for _, rows in repeated.groupby(key, sort=False):
        first = rows.iloc[0]
        for row in rows.iloc[1:].itertuples():
            where = f"line {first.line}" if first.file == row.file else f"{first.file}, line {first.line}"
            problems.append(Problem(row.file, row.line, "period_start",
                                    f"duplicate {row.period} value for {row.measure} in {row.geography} at "
                                    f"{row.period_start} ({row.status}): first at {where}"))


def _check_text_fields(observations: pd.DataFrame, problems: list[Problem]) -> None:
    """Places and sources are drawn on charts and set in sentences: each must be drawable by the
    chart font and close any bidirectional control it opens."""
    for column in ("geography", "source"):
        for value in observations[column].unique():
            reason = chart_text_problem(value)
            if reason:
                row = observations[observations[column] == value].iloc[0]
                problems.append(Problem(row["file"], int(row["line"]), column, reason))


def _check_totals_agree(observations: pd.DataFrame, problems: list[Problem]) -> None:
    """Where a total for a quarter or year is given and its modelled months are too, they must agree."""
    # Modelled months are made to add up to published totals; real months from another source
    # (police.uk against the force's own recorded crime, say) are not expected to.
    monthly = observations[(observations["period"] == "month") & (observations["status"] == "modelled")]
    sums = {}
    for (measure, geography), group in monthly.groupby(["measure", "geography"]):
        sums[(measure, geography)] = dict(zip(group["period_start"], group["value"]))
    totals = observations[observations["period"].isin(["quarter", "year", "fy"])]
    for row in totals.itertuples():
        months = sums.get((row.measure, row.geography))
        if not months:
            continue
        span = [add_months(row.period_start, k) for k in range(PERIOD_MONTHS[row.period])]
        if not all(m in months for m in span):
            continue
        total = sum(months[m] for m in span)
        if abs(total - row.value) > 1e-6:
            problems.append(Problem(row.file, row.line, "value",
                                    f"{row.measure} {row.period} from {row.period_start} is {row.value:g} "
                                    f"but its monthly values sum to {total:g}"))


def _check_parts_add_up(observations: pd.DataFrame, measures: dict[str, Measure], problems: list[Problem]) -> None:
    """Where a count with parts and every part have a value for the same place and period (the
    value the book shows: published over modelled), the parts must add up to the whole."""
    wholes = {m.id: m.parts for m in measures.values() if m.parts}
    if not wholes:
        return
    wanted = set(wholes) | {part for parts in wholes.values() for part in parts}
    best = shown_rows(observations[observations["measure"].isin(list(wanted))])
    for (measure, geography, period, start), row in best.items():
        if measure not in wholes:
            continue
        parts = [best.get((part, geography, period, start)) for part in wholes[measure]]
        if any(part is None for part in parts):
            continue
        total = sum(part.value for part in parts)
        if abs(total - row.value) > 1e-6:
            problems.append(Problem(row.file, row.line, "value",
                                    f"{measure} {period} from {start} is {row.value:g} but its parts "
                                    f"({', '.join(wholes[measure])}) add up to {total:g}"))


def read_population(path: Path, problems: list[Problem]) -> pd.DataFrame:
    """Population by force area and mid-year (the denominator of rates per 1,000 people), each
    row naming its source (ONS mid-year estimates); whole numbers. The file is optional."""
    records, seen = [], {}
    for line, row in _read_csv(path, POPULATION_COLUMNS, problems) if path.exists() else []:
        year, people = whole_number(row["year"]), whole_number(row["population"])
        problem = _population_problem(row, year, people)
        if problem:
            problems.append(Problem(str(path), line, *problem))
            continue
        key = (row["geography"].strip(), int(year))
        if key in seen:
            problems.append(Problem(str(path), line, "year", f"{key[0]} has a population for mid-{key[1]} already, "
                                    f"at line {seen[key]}: one estimate per force area and year"))
            continue
        seen[key] = line
        records.append({"geography": key[0], "year": key[1], "population": int(people),
                        "source": row["source"].strip(), "status": row["status"].strip()})
    return frame_of(records, list(POPULATION_COLUMNS))


def read_peer_group(path: Path, force: Force | None, problems: list[Problem]) -> tuple[tuple, tuple]:
    """The force and its most similar forces (short names, as the observations' geography),
    each row naming where the grouping comes from. The file is optional: without it the book
    compares with no one."""
    if not path.exists():
        return (), ()
    names, sources = [], []
    for line, row in _read_csv(path, PEER_GROUP_COLUMNS, problems):
        name, source = row["force"].strip(), row["source"].strip()
        unfit = chart_text_problem(name)  # names are drawn on charts and listed in sentences
        if not name or not source:
            problems.append(Problem(str(path), line, "force" if not name else "source",
                                    "missing: expected the force's short name (such as Kent)" if not name
                                    else "missing: expected where the grouping comes from"))
        elif unfit:
            problems.append(Problem(str(path), line, "force", unfit))
        elif _same_name(name) in map(_same_name, names):
            first = next(n for n in names if _same_name(n) == _same_name(name))
            problems.append(Problem(str(path), line, "force", f"{name!r} is listed twice (as {first!r}; names are "
                                                              "compared ignoring case and invisible characters)"))
        else:
            names.append(name)
            sources.append(source)
    if force is not None and names and force.short_name not in names:
        problems.append(Problem(str(path), None, "force", f"the group must include the book's own force, "
                                                          f"{force.short_name!r}"))
    return tuple(names), tuple(dict.fromkeys(sources))


def _same_name(name: str) -> str:
    """A force's name as compared for duplicates: case and invisible format characters ignored."""
    return "".join(c for c in unicodedata.normalize("NFKC", name) if unicodedata.category(c) != "Cf").casefold()


def _population_problem(row: dict, year, people) -> tuple[str, str] | None:
    if not row["geography"].strip():
        return "geography", "missing: expected the force area's short name"
    if year is None or not 1900 <= year <= 2100:
        return "year", f"got {row['year']!r}: expected a year such as 2019"
    if not people:
        return "population", f"got {row['population']!r}: expected a whole number of people, in digits"
    if not row["source"].strip():
        return "source", "missing: expected where the estimate comes from"
    if row["status"].strip() not in ("published", "modelled"):
        return "status", f"got {row['status']!r}: expected published or modelled"
    return None


def read_finance(path: Path, sources: dict[str, str], problems: list[Problem]) -> pd.DataFrame:
    """The small finance table behind a closure review's financial overview: published figures
    only, each cited; the surplus must agree with funding less spending. The file is optional."""
    records = []
    for line, row in _read_csv(path, FINANCE_COLUMNS, problems) if path.exists() else []:
        before = len(problems)

        def bad(field_name: str, message: str):
            problems.append(Problem(str(path), line, field_name, message))

        try:
            year = parse_fy(row["year"])
        except PeriodError as exc:
            bad("year", str(exc))
        item = FINANCE_ITEMS.get(row["item"])
        if item is None:
            bad("item", f"unknown item {row['item']!r}: expected one of {', '.join(FINANCE_ITEMS)}")
        elif row["unit"] != item[1]:
            bad("unit", f"got {row['unit']!r}: {row['item']} is in {item[1]}")
        value = _number(row["value"])
        if value is None:
            bad("value", f"got {row['value']!r}: expected a number")
        if row["document"] not in sources:
            bad("document", f"unknown document {row['document']!r}: not in sources.yaml")
        if not row["reference"].strip():
            bad("reference", "missing: expected the page, section or paragraph cited")
        if len(problems) == before:
            records.append({"year": year, "item": row["item"], "value": value, "unit": row["unit"],
                            "source": f"{row['document']} {row['reference']}", "note": row["note"], "line": line})
    frame = frame_of(records, ["year", "item", "value", "unit", "source", "note", "line"])
    for row in frame[frame.duplicated(["year", "item"])].itertuples():
        problems.append(Problem(str(path), row.line, "item", f"{row.item} for {fy_label(row.year)} is given twice"))
    _check_surplus(path, frame, problems)
    return frame


def _check_surplus(path: Path, frame: pd.DataFrame, problems: list[Problem]) -> None:
    for year, group in frame.groupby("year"):
        items = dict(zip(group["item"], group["value"]))
        if not {"funding", "net_revenue_expenditure", "surplus"} <= set(items):
            continue
        computed = items["funding"] - items["net_revenue_expenditure"]
        if abs(computed - items["surplus"]) > SURPLUS_TOLERANCE:
            line = int(group.loc[group["item"] == "surplus", "line"].iloc[0])
            problems.append(Problem(str(path), line, "value",
                                    f"surplus for {fy_label(year)} is {items['surplus']:g} but funding less "
                                    f"net revenue expenditure is {computed:.3f}"))
