"""The data contracts: the bundled data load, and every kind of bad input is refused with the
file, line and field named, and nothing half-loaded."""

import datetime as dt

import pytest

from pcpbook import data
from pcpbook.periods import PeriodError, Quarter


def test_bundled_data_is_valid(dataset):
    assert set(dataset.plans) == {"2016-2021", "2021-2024"}
    assert len(dataset.plans["2016-2021"].priorities) == 7
    assert len(dataset.plans["2021-2024"].priorities) == 12
    assert dataset.latest_quarter().id == "2023-24-Q4"


def test_quarters_belong_to_the_plan_in_force(dataset):
    assert dataset.plan_for(Quarter.parse("2016-17-Q1")).id == "2016-2021"
    assert dataset.plan_for(Quarter.parse("2020-21-Q4")).id == "2016-2021"
    assert dataset.plan_for(Quarter.parse("2021-22-Q1")).id == "2021-2024"
    assert dataset.plan_for(Quarter.parse("2023-24-Q4")).id == "2021-2024"


def test_quarters_outside_the_data_or_the_plans_are_refused(dataset):
    with pytest.raises(PeriodError, match="after the latest quarter in the data"):
        dataset.check_quarter(Quarter.parse("2024-25-Q1"))
    with pytest.raises(PeriodError, match="no plan covers quarter 2015-16-Q4"):
        dataset.check_quarter(Quarter.parse("2015-16-Q4"))


def test_every_plan_measure_is_in_the_catalogue_and_every_commitment_has_an_owner(dataset):
    for plan in dataset.plans.values():
        for priority in plan.priorities:
            assert priority.measures and priority.commitments
            for commitment in priority.commitments:
                assert commitment.id.startswith(f"{priority.number}.") and commitment.who


def test_published_figures_are_labelled_published_and_cite_their_document(dataset):
    published = dataset.observations[dataset.observations["status"] == "published"]
    assert len(published) == 78
    assert published["source"].str.match(r"^seed-00[0-4] ").all()


def test_a_quarter_total_prefers_the_published_figure(dataset):
    value = dataset.value("emergency_calls_999", dt.date(2020, 4, 1), 3)
    assert (value.amount, value.status) == (74630, "published")
    modelled = dataset.value("emergency_calls_999", dt.date(2020, 7, 1), 3)
    assert modelled.status == "modelled" and modelled.amount > 0


def test_a_window_the_data_do_not_cover_has_no_value(dataset):
    assert dataset.value("csc_hours", dt.date(2018, 4, 1), 3).amount is None


def _replace_line(path, line_number, new_text):
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[line_number - 1] = new_text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _problems(folder):
    with pytest.raises(data.DataError) as caught:
        data.load(folder)
    return caught.value.problems


def test_negative_count_names_file_line_and_field(data_copy):
    _replace_line(data_copy / "observations.csv", 5,
                  "total_recorded_crime,Essex,2013-07-01,month,-3,test,modelled")
    [problem] = _problems(data_copy)
    assert (problem.file.endswith("observations.csv"), problem.line, problem.field) == (True, 5, "value")
    assert "cannot be negative" in str(problem)


def test_malformed_row_is_reported_with_its_line(data_copy):
    _replace_line(data_copy / "observations.csv", 7, "total_recorded_crime,Essex,2013-09-01")
    [problem] = _problems(data_copy)
    assert problem.line == 7 and "expected 7 fields" in problem.message


def test_missing_column_is_reported(data_copy):
    path = data_copy / "observations.csv"
    text = path.read_text(encoding="utf-8").replace(",status\n", ",state\n", 1)
    path.write_text(text, encoding="utf-8")
    [problem] = _problems(data_copy)
    assert problem.line == 1 and problem.field == "status" and "missing column" in problem.message


@pytest.mark.parametrize("row, field, words", [
    ("no_such_measure,Essex,2013-04-01,month,1,test,modelled", "measure", "unknown measure"),
    ("fraud,Essex,2013-13-01,month,1,test,modelled", "period_start", "expected a date"),
    ("fraud,Essex,2013-04-15,month,1,test,modelled", "period_start", "first of a month"),
    ("fraud,Essex,2013-05-01,quarter,1,test,modelled", "period_start", "quarter starts"),
    ("fraud,Essex,2013-04-01,week,1,test,modelled", "period", "expected one of"),
    ("fraud,Essex,2013-04-01,month,lots,test,modelled", "value", "expected a number"),
    ("fraud,Essex,2013-04-01,month,1,test,guessed", "status", "expected one of published"),
    ("fraud,Essex,2013-04-01,month,1,,modelled", "source", "missing"),
    ("public_confidence,Essex,2013-04-01,quarter,101,test,modelled", "value", "cannot exceed 100"),
    ("officer_fte,Essex,2013-04-01,month,3000,test,modelled", "period", "snapshot"),
])
def test_bad_observation_fields_are_named(data_copy, row, field, words):
    with (data_copy / "observations.csv").open("a", encoding="utf-8") as handle:
        handle.write(row + "\n")
    problems = _problems(data_copy)
    assert any(p.field == field and words in str(p) for p in problems), problems


def test_duplicate_observation_is_refused(data_copy):
    path = data_copy / "observations.csv"
    second = path.read_text(encoding="utf-8").splitlines()[1]
    with path.open("a", encoding="utf-8") as handle:
        handle.write(second + "\n")
    problems = _problems(data_copy)
    assert any("duplicate month value for total_recorded_crime" in str(p) for p in problems)


def test_a_published_total_that_disagrees_with_its_months_is_refused(data_copy):
    path = data_copy / "published_figures.csv"
    text = path.read_text(encoding="utf-8").replace(
        "emergency_calls_999,Essex,2020-04-01,quarter,74630", "emergency_calls_999,Essex,2020-04-01,quarter,74631")
    path.write_text(text, encoding="utf-8")
    [problem] = _problems(data_copy)
    assert problem.field == "value" and "monthly values sum to 74,630" not in str(problem)
    assert "is 74631 but its monthly values sum to 74630" in str(problem)


def test_published_figure_must_cite_a_known_document(data_copy):
    with (data_copy / "published_figures.csv").open("a", encoding="utf-8") as handle:
        handle.write("fraud,Essex,2013-04-01,month,10,seed-999,p1,\n")
    assert any(p.field == "document" for p in _problems(data_copy))


def test_plan_with_unknown_measure_and_bad_quarter_is_refused(data_copy):
    path = data_copy / "plans" / "2021-2024.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("first_quarter: 2021-22-Q1", "first_quarter: 2021-Q1")
    text = text.replace("measures: [rural_crime]", "measures: [rural_crimes]")
    path.write_text(text, encoding="utf-8")
    problems = _problems(data_copy)
    fields = {(p.field, p.file.endswith("2021-2024.yaml")) for p in problems}
    assert ("first_quarter", True) in fields and ("measures", True) in fields
    measure_problem = next(p for p in problems if p.field == "measures")
    assert measure_problem.line is not None and "rural_crimes" in measure_problem.message


def test_overlapping_plans_are_refused(data_copy):
    path = data_copy / "plans" / "2021-2024.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("first_quarter: 2021-22-Q1",
                                                             "first_quarter: 2020-21-Q4"), encoding="utf-8")
    assert any("overlap" in p.message for p in _problems(data_copy))


def test_measure_catalogue_checks_kind_and_polarity(data_copy):
    path = data_copy / "measures.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  kind: count", "  kind: tally", 1), encoding="utf-8")
    entry_line = path.read_text(encoding="utf-8").splitlines().index("- id: total_recorded_crime") + 1
    problems = _problems(data_copy)
    kind = next(p for p in problems if p.field == "kind")
    assert kind.file.endswith("measures.yaml") and kind.line == entry_line and "'tally'" in kind.message
    # the catalogue's problems come alone: checking plans and rows against it would echo them on every row
    assert [p.field for p in problems] == ["kind", None]
    assert "checked once measures.yaml is valid" in problems[-1].message


def test_all_problems_are_reported_together(data_copy):
    with (data_copy / "observations.csv").open("a", encoding="utf-8") as handle:
        handle.write("fraud,Essex,2013-04-01,month,-1,test,modelled\n")
        handle.write("fraud,Essex,bad,month,1,test,modelled\n")
    assert len(_problems(data_copy)) == 2
