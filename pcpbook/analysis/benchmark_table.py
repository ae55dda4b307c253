"""The ``benchmark`` command: every force's figures for a period, compared as the book compares
them, one row per measure and force, for an analyst to check in a spreadsheet.

Without a group file the group is every force with figures and a population for the period;
forces left out for want of a population are named in a note. With one, a force of the group
without a population, a measure with no unit of comparison and a period the data do not cover
are refused, each by name.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pcpbook.analysis.peers import Window, group_figures
from pcpbook.contracts.dataset import Dataset, read_tables
from pcpbook.contracts.model import DISTRICT_CODE
from pcpbook.core.outputs import write_csv
from pcpbook.core.periods import PeriodError, Quarter, fy_start_date, month_label, parse_fy
from pcpbook.core.units import COMPARISON_UNITS
from pcpbook.stats.benchmark import BenchmarkError, compare

COLUMNS = ("measure", "force", "period", "count", "population", "rate", "unit", "position", "group_size",
           "group_average", "upper_quartile", "change_to_average", "change_to_upper_quartile", "funnel")


class BenchmarkCommandError(ValueError):
    """A request the benchmark command refuses, saying what to change."""


def period_window(text: str) -> Window:
    """``2017-18`` or ``2017/18`` (a financial year) or ``2020-21-Q4`` (12 months to its end)."""
    try:
        if "Q" in text.upper():
            return Window.ending(Quarter.parse(text))
        return Window(fy_start_date(parse_fy(text)))
    except PeriodError as exc:
        raise BenchmarkCommandError(f"--period {text!r}: {exc}; expected a financial year such as 2017-18 or a "
                                    "quarter such as 2020-21-Q4") from None


def benchmark(project: Dataset, observations: list[Path], population: Path, period: str,
              group: Path | None = None, measure_id: str | None = None) -> tuple[list[dict], list[str]]:
    """The rows of the table and the notes to print (forces left out, measures skipped)."""
    frame, people, names = read_tables(observations, project.measures, population, group)
    dataset = replace(project, observations=frame, population=people, group=names, memo={})
    dataset.__post_init__()
    window = period_window(period)
    measures = _measures(dataset, measure_id, window)
    rows, left_out_of = [], {}
    for measure in measures:
        places = frame.loc[frame["measure"] == measure.id, "geography"]
        forces = list(names) or sorted(set(places[~places.str.fullmatch(DISTRICT_CODE)]))  # districts are no force
        figures, left_out, _ = group_figures(dataset, measure, forces, window)
        if not figures:
            raise _outside(dataset, measure, window)
        if names and left_out:
            force, why = next(iter(left_out.items()))
            raise BenchmarkCommandError(f"{group}: force {force!r} of the group cannot be compared on "
                                        f"{measure.id} for {window.label}: {why}")
        if left_out:
            reasons = "; ".join(f"{f} ({why})" for f, why in sorted(left_out.items()))
            left_out_of.setdefault((len(left_out), reasons), []).append(measure.id)
        try:
            result = compare(figures, measure.benchmark.unit, measure.benchmark.polarity)
        except BenchmarkError as exc:
            raise BenchmarkCommandError(f"{measure.id} for {window.label}: {exc}") from None
        rows += _rows(measure, result, figures, window)
    notes = [f"{', '.join(ids)}: left out {count} force(s) with figures but no comparison: {reasons}"
             for (count, reasons), ids in left_out_of.items()]  # one note for the measures that leave out the same
    return rows, notes


def _measures(dataset: Dataset, measure_id: str | None, window: Window) -> list:
    in_files = [m for m in dict.fromkeys(dataset.observations["measure"]) if m in dataset.measures]
    if measure_id is not None:
        if measure_id not in dataset.measures:
            raise BenchmarkCommandError(f"--measure {measure_id!r} is not in the measure catalogue "
                                        f"({dataset.root / 'measures.yaml'})")
        if dataset.measures[measure_id].benchmark is None:
            raise BenchmarkCommandError(f"--measure {measure_id!r} has no unit of comparison: add "
                                        "benchmark: {unit: ...} to its entry in measures.yaml (units: "
                                        f"{', '.join(COMPARISON_UNITS)})")
        in_files = [measure_id]
    chosen = [dataset.measures[m] for m in in_files if dataset.measures[m].benchmark is not None]
    if not chosen:
        raise BenchmarkCommandError("none of the observations' measures has a unit of comparison in the catalogue")
    return chosen


def _outside(dataset: Dataset, measure, window: Window) -> BenchmarkCommandError:
    starts = dataset.observations.loc[dataset.observations["measure"] == measure.id, "period_start"]
    return BenchmarkCommandError(f"--period: no force has {measure.id} figures for the {window.label}; the data run "
                                 f"from {month_label(min(starts))} to {month_label(max(starts))}")


def _rows(measure, result, figures, window: Window) -> list[dict]:
    bases = {f.force: f for f in figures}
    rate_unit = measure.benchmark.unit != "percent"
    rows = []
    for standing in result.standings:
        to_average = result.change_to_average(standing.force)
        to_quartile = result.change_to_upper_quartile(standing.force)
        rows.append({
            "measure": measure.id, "force": standing.force, "period": window.label,
            "count": _plain(bases[standing.force].count), "population": _plain(standing.base) if rate_unit else "",
            "rate": f"{standing.value:.4f}", "unit": COMPARISON_UNITS[measure.benchmark.unit][1],
            "position": standing.position, "group_size": result.group_size,
            "group_average": f"{result.average:.4f}", "upper_quartile": f"{result.upper_quartile:.4f}",
            "change_to_average": "" if to_average is None else f"{to_average:.1f}",
            "change_to_upper_quartile": "" if to_quartile is None else f"{to_quartile:.1f}",
            "funnel": standing.funnel or ""})
    return rows


def _plain(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def write(rows: list[dict], out: Path) -> Path:
    return write_csv(out, list(COLUMNS), rows)
