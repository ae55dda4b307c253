"""The data contracts: the bundled data load, and every kind of bad input is refused with the
file, line and field named, and nothing half-loaded."""

import datetime as dt

import pytest

from pcpbook import contracts
from pcpbook.core.periods import PeriodError, Quarter


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
    assert len(published) == 89  # 78, and the strategy report's 11 insight figures (seed-001)
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
    with pytest.raises(contracts.DataError) as caught:
        contracts.load(folder)
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


def test_duplicate_observation_is_refused_naming_both_lines(data_copy):
    path = data_copy / "observations.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    with path.open("a", encoding="utf-8") as handle:
        handle.write(lines[1] + "\n")
    [problem] = [p for p in _problems(data_copy) if "duplicate" in p.message]
    assert problem.line == len(lines) + 1 and "duplicate month value for total_recorded_crime" in problem.message
    assert problem.message.endswith("first at line 2")


def test_an_observation_dated_outside_any_plan_era_is_refused(data_copy):
    with (data_copy / "observations.csv").open("a", encoding="utf-8") as handle:
        handle.write("burglary,Essex,9999-01-01,month,5,x,published\n")
    assert any(p.field == "period_start" and "from 1990 to 2100" in p.message for p in _problems(data_copy))


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


def test_plan_with_a_bad_quarter_is_refused_naming_the_field(data_copy):
    path = data_copy / "plans" / "2021-2024.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("first_quarter: 2021-22-Q1", "first_quarter: 2021-Q1"),
                    encoding="utf-8")
    problem = next(p for p in _problems(data_copy) if p.file.endswith("2021-2024.yaml"))
    assert problem.field == "first_quarter" and "2021-Q1" in problem.message


def test_plan_with_an_unknown_measure_is_refused_with_its_line(data_copy):
    path = data_copy / "plans" / "2021-2024.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("measures: [rural_crime]", "measures: [rural_crimes]"),
                    encoding="utf-8")
    measure_problem = next(p for p in _problems(data_copy) if p.field == "measures")
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


# ----------------------------------------------------------------------------- hostile or broken files


@pytest.mark.parametrize("encode, line, words", [
    (lambda text: text.encode("utf-16"), 1, "UTF-16"),
    (lambda text: text.replace("Essex,2013-05-01", "Ess\xe9x,2013-05-01", 1).encode("latin-1"), 3, "not UTF-8"),
    (lambda text: text.replace("Essex,2013-05-01", "Essex\x00,2013-05-01", 1).encode(), 3, "NUL byte"),
])
def test_observations_that_are_not_utf8_text_are_named(data_copy, encode, line, words):
    path = data_copy / "observations.csv"
    path.write_bytes(encode(path.read_text(encoding="utf-8")))
    [problem] = _problems(data_copy)
    assert problem.file == str(path) and problem.line == line and words in problem.message


def test_an_over_long_field_is_named_not_a_traceback(data_copy):
    path = data_copy / "observations.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[4] = lines[4].rsplit(",", 2)[0] + "," + "x" * 131_073 + ",modelled"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    [problem] = _problems(data_copy)
    assert problem.line == 5 and "20,000 characters" in problem.message


def test_an_extra_column_is_refused_once_not_on_every_row(data_copy):
    path = data_copy / "observations.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0] + ",extra"] + [line + ",1" for line in lines[1:]]) + "\n", encoding="utf-8")
    [problem] = _problems(data_copy)
    assert (problem.line, problem.field) == (1, "extra") and "unknown or repeated column(s) extra" in problem.message
    path.write_text("\n".join([lines[0]] + [line + ",1" for line in lines[1:]]) + "\n", encoding="utf-8")
    [problem] = _problems(data_copy)  # a bad field count on 3,600 rows is one problem
    assert problem.line == 2 and "expected 7 fields, got 8" in problem.message and "more rows" in problem.message


def test_fractional_counts_of_events_are_refused(data_copy):
    path = data_copy / "observations.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("total_recorded_crime,Essex,2013-04-01,month,7687,", "total_recorded_crime,Essex,"
                                 "2013-04-01,month,7808.5,", 1), encoding="utf-8")
    [problem] = _problems(data_copy)
    assert (problem.line, problem.field) == (2, "value") and "whole numbers" in problem.message


def test_yaml_aliases_and_duplicate_keys_are_refused(data_copy):
    path = data_copy / "sources.yaml"
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n" + \
        "".join(f"{n}: &{n} [{', '.join(['*' + chr(ord(n) - 1)] * 9)}]\n" for n in "cdefghijk")
    path.write_text(bomb, encoding="utf-8")
    problem = _problems(data_copy)[0]  # refused before any expansion: no memory, no long message
    assert problem.file == str(path) and problem.line == 2 and "aliases" in problem.message
    assert len(problem.message) < 400
    path.write_text("seed-000: One\nseed-000: Two\n", encoding="utf-8")
    problems = _problems(data_copy)
    assert any(p.line == 2 and "'seed-000' appears twice" in p.message for p in problems)


def test_a_yaml_syntax_error_in_the_catalogue_is_reported_alone(data_copy):
    path = data_copy / "measures.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  kind: count\n", "  kind: [count\n", 1),
                    encoding="utf-8")
    problems = _problems(data_copy)
    assert len(problems) == 2 and "not valid YAML" in problems[0].message and problems[0].line is not None


def test_a_duplicate_commitment_id_is_named_with_its_line(data_copy):
    path = data_copy / "plans" / "2021-2024.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('{id: "1.2",', '{id: "1.1",', 1), encoding="utf-8")
    [problem] = [p for p in _problems(data_copy) if "used twice" in p.message]
    second = next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                  if 'id: "1.1"' in line and i > 17)
    assert problem.line == second and "first at line 17" in problem.message
