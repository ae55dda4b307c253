"""The contract layer: one declaration per file kind checks a file and describes it."""

import pytest
import yaml

from pcpbook import contracts
from pcpbook.contracts import kinds
from pcpbook.contracts.catalogue import read_measures
from pcpbook.contracts.examples import EXAMPLES, example_files
from pcpbook.contracts.problems import Problem
from pcpbook.contracts.reference import FILE_KINDS, format_reference
from pcpbook.contracts.schema import Contract, conform, contract_in
from pcpbook.contracts.strategy import load_strategies


def _every_contract():
    found, todo = [], [model for _, model in FILE_KINDS]
    while todo:
        model = todo.pop()
        if model not in found:
            found.append(model)
            todo += [inner for field in model.model_fields.values() if (inner := contract_in(field.annotation))]
    return found


@pytest.mark.parametrize("model", _every_contract(), ids=lambda m: m.__name__)
def test_every_key_of_every_file_kind_says_what_it_is_for(model):
    assert [name for name, field in model.model_fields.items() if not field.description] == []


def test_the_format_reference_lists_every_key_of_every_file_kind():
    reference = format_reference()
    for model in _every_contract():
        assert all(f"| `{name}` |" in reference for name in model.model_fields), model.__name__
    assert "| `decompose` | no (default `false`) | true for a seasonal decomposition |" in reference


def test_a_fault_is_named_by_the_line_of_its_entry_and_the_path_inside_it():
    raw = {"__line__": 1, "id": "2021-2024", "title": "Plan", "first_quarter": "2021-22-Q1",
           "last_quarter": "2023-24-Q4", "source": "s",
           "priorities": [{"__line__": 7, "number": 1, "title": "t", "objective": "o", "source": "s",
                           "measures": ["burglary"],
                           "commitments": [{"__line__": 12, "id": "1.1", "text": "x", "who": ["A"],
                                            "target": {"__line__": 13, "measure": "burglary", "percent": -150,
                                                       "baseline": "2019/20", "by": "2021-03-31", "source": "s"}}]}]}
    problems: list[Problem] = []
    assert conform(kinds.PlanFile, raw, "plan.yaml", problems) is None
    [problem] = problems
    assert (problem.line, problem.field) == (13, "target.percent")
    assert problem.message.startswith("got -150: input should be greater than or equal to -100")


def test_text_is_never_cut_a_long_field_is_an_error():
    class Note(Contract):
        text: kinds.Text

    problems: list[Problem] = []
    assert conform(Note, {"text": "x" * 2_001}, "f.yaml", problems) is None
    assert "nothing is cut" in problems[0].message


def test_an_action_id_that_is_not_a_plain_token_is_refused_with_its_line(data_copy):
    from pcpbook import contracts
    from pcpbook.contracts import strategy
    path = data_copy / "strategies" / "crime-prevention-2018-2021-actions.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("DA-01,", "DA-01<b>,", 1), encoding="utf-8")
    with pytest.raises(contracts.DataError) as caught:
        strategy.load_strategies(contracts.load(data_copy))
    [problem] = caught.value.problems
    assert (problem.line, problem.field) == (2, "id") and "DA-01<b>" in problem.message


def test_the_format_reference_lists_every_column_of_every_csv_kind():
    reference = format_reference()
    for kind in kinds.CSV_KINDS:
        assert f"## {kind.file}" in reference
        assert all(f"| `{column.name}` |" in reference for column in kind.columns), kind.file


@pytest.mark.parametrize("value, accepted", [(1.3, True), (1, True), (0.8, False), (40, False), ("1.2x", False)])
def test_a_survey_design_effect_is_a_number_from_1_to_10(value, accepted):
    problems: list[Problem] = []
    entry = {"__line__": 4, "id": "confidence", "label": "Confidence", "kind": "percent", "polarity": "up_is_good",
             "unit": "%", "unit_one": "%", "noun": "people", "noun_one": "person", "verb": "asked",
             "source": "a survey", "definition": "share confident", "sample_size": 1750, "design_effect": value}
    found = conform(kinds.MeasureEntry, entry, "measures.yaml", problems, 4)
    assert (found is not None) == accepted
    assert accepted or problems[0].field == "design_effect"


def test_a_recording_change_without_its_source_is_refused_naming_its_line():
    problems: list[Problem] = []
    entry = {"__line__": 9, "date": "2023-05-01", "note": "counting rule", "recording": True}
    assert conform(kinds.Discontinuity, entry, "measures.yaml", problems, 9) is None
    [problem] = problems
    assert problem.line == 9 and "a recording change needs its source" in problem.message
    assert conform(kinds.Discontinuity, {**entry, "source": "Home Office Counting Rules, May 2023"}, "measures.yaml",
                   problems, 9) is not None


def test_the_worked_examples_load_together_as_a_data_folder_and_the_reference_shows_each(tmp_path):
    # issue 30: a new force learnt the formats by reading Essex's files
    for path, text in example_files().items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text, encoding="utf-8")
    dataset = contracts.load(tmp_path)
    assert dataset.latest_quarter().id == "2024-25-Q1" and list(load_strategies(dataset)) == ["burglary-2024-2026"]
    reference = format_reference()
    assert all(f"Example (`{example.path}`):\n\n```" in reference for example in EXAMPLES)
    titles = {title for title, _ in FILE_KINDS} | {kind.file for kind in kinds.CSV_KINDS}
    assert titles - {"_config.yml"} <= {example.title for example in EXAMPLES}


@pytest.mark.parametrize("benchmark, refused", [({"unit": "percent", "base": "recorded"}, False),
                                                ({"unit": "percent", "aspiration": "upper_quartile"}, True), (None, True)])
def test_a_quasi_binomial_test_needs_the_count_the_rate_is_a_share_of(tmp_path, benchmark, refused):
    base = {"label": "Recorded", "kind": "count", "polarity": "neutral", "unit": "crimes", "unit_one": "crime",
            "noun": "crimes", "noun_one": "crime", "verb": "recorded", "source": "force", "definition": "crimes"}
    rate = {**base, "id": "solved", "label": "Solved (%)", "kind": "percent", "polarity": "up_is_good",
            "test": "quasi_binomial", **({"benchmark": benchmark} if benchmark else {}), "sample_size": 100}
    path = tmp_path / "measures.yaml"
    path.write_text(yaml.safe_dump([{"id": "recorded", **base}, rate], sort_keys=False))
    problems: list[Problem] = []
    measures = read_measures(path, problems)
    assert ("solved" not in measures) == refused
    assert not refused or (problems[0].line == 12 and problems[0].field == "test"
                           and "the count it is a share of as the benchmark's base" in problems[0].message)
