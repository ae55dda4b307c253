"""Targets written into commitments: judged against the straight path from the baseline, with
the arithmetic in the text, a column and a table in the key figures, and the path on the chart."""

import datetime as dt

import pytest

from conftest import DATA, page_text
from pcpbook import contracts
from pcpbook.core.periods import Quarter
from pcpbook.present.chapter import open_chapter
from pcpbook.present.figures import trend_chart
from pcpbook.present.targeting import PATH_LABEL, plan_assessments, target_sentences
from pcpbook.stats.targets import MET, MISSED, OFF_COURSE, ON_COURSE, count_interval, judge, target_level

START, BY = dt.date(2020, 1, 1), dt.date(2022, 1, 1)  # 731 days apart
HALFWAY = dt.date(2021, 1, 1)                          # 366 days in: the path is at 100 + 100 x 366/731


def test_a_target_level_is_the_level_or_the_baseline_changed():
    assert target_level("level", 0, 850) == 0
    assert target_level("change", 300, 3369) == 3669
    assert target_level("percent", 100, 353) == 706  # doubling
    assert target_level("percent", -40, 850) == 510


@pytest.mark.parametrize("value, verdict", [(140, OFF_COURSE), (150.1, ON_COURSE), (160, ON_COURSE), (200, MET)])
def test_a_headcount_is_read_against_the_straight_path(value, verdict):
    judgement = judge(200, 100, START, BY, value, HALFWAY)
    assert judgement.path == pytest.approx(100 + 100 * 366 / 731)  # 150.07
    assert judgement.elapsed == pytest.approx(366 / 731)
    assert judgement.verdict == verdict


def test_on_or_after_the_date_a_target_is_met_or_missed():
    missed = judge(200, 100, START, BY, 190, BY)
    assert missed.verdict == MISSED and missed.still_needed == 10 and missed.path is None
    assert judge(200, 100, START, BY, 205, dt.date(2022, 3, 31)).verdict == MET


def test_a_count_is_off_course_only_when_its_whole_interval_is_behind_the_path():
    # a fall from 850 to zero: the path at the halfway day is about 424; 470 is behind it
    noisy = count_interval(470, dispersion=8.0, df=60)     # wide: reaches the path
    steady = count_interval(470, dispersion=1.0, df=60)    # Poisson: does not
    assert noisy[0] < 424 < noisy[1] and steady[0] > 424
    assert judge(0, 850, START, BY, 470, HALFWAY, noisy, lower_is_better=True).verdict == ON_COURSE
    assert judge(0, 850, START, BY, 470, HALFWAY, steady, lower_is_better=True).verdict == OFF_COURSE
    # met needs the whole interval at the level, not just the point
    assert judge(500, 850, START, BY, 480, HALFWAY, noisy, lower_is_better=True).verdict != MET


def test_the_2020_21_q1_edition_judges_the_special_constabulary_against_doubling(tmp_path):
    text = page_text("priority", {"plan": "2016-2021", "priority": 1, "quarter": "2020-21-Q1", "data_dir": str(DATA)},
                     tmp_path)
    # baseline 353 before the May 2016 election (seed-004 para 2.7), doubled: 706 by 31 March 2021;
    # 511 at the end of June 2020 (seed-000); the path: 353 + 353 x 1,522 / 1,796 days = 652
    assert "Target (commitment 1.3): double the 353 Special Constables of 30 April 2016 to 706 by 31 March 2021" in text
    assert ("For the end of June 2020 the figure is 511. The straight path from 353 (30 April 2016) to 706 "
            "(31 March 2021) is at 652 on 30 June 2020, 84.7\\% of the way in time, and the figure is 141 behind it: "
            "off course. A further 195 officers are needed to reach it.") in text
    assert "| 1.3 | Special Constables (headcount) | 706 | 31 Mar 2021 | 353 (30 April 2016) | 511 | 652 | off course |" \
        in text
    assert "| Special Constables (headcount) |" in text and "| off course |" in text


def test_the_plans_targets_carry_their_citations_and_later_verdicts(dataset):
    plans = dataset.plans
    cited = {c.id: t.source for plan in plans.values() for c, t in plan.targets}
    assert set(cited) == {"1.3", "7.1", "1.1"} and all("seed-" in source for source in cited.values())
    at_end = {a.commitment.id: a for a in plan_assessments(dataset, plans["2016-2021"], Quarter.parse("2020-21-Q4"))}
    assert at_end["1.3"].judgement.verdict == MISSED and at_end["1.3"].judgement.value == 521  # seed-004 para 4.16
    ksi = at_end["7.1"].judgement  # Vision Zero: none by 2040, from 850 in 2015/16 (seed-004 paras 10.3, 10.6)
    assert ksi.value == 641 and ksi.lower < ksi.value < ksi.upper and ksi.verdict == ON_COURSE
    uplift = plan_assessments(dataset, plans["2021-2024"], Quarter.parse("2021-22-Q1"))[0]
    assert uplift.judgement.target == 3369 + 300
    said = " ".join(target_sentences(uplift, dataset.sources))
    assert "add 300 police officers (FTE) to the 3,369 of 31 March 2021, reaching 3,669" in said


def test_a_target_an_earlier_plan_set_is_judged_in_every_later_edition_until_its_date(dataset):
    # audit: Vision Zero (2016-2021 plan, by 2040) was judged only in 2020/21, when lockdown put it on course;
    # by 2023/24 the 12-month KSI is 826 against a path of 575, which no edition showed
    chapter = open_chapter("2021-2024", 9, "2023-24-Q4", str(dataset.root))
    vision_zero = next(a for a in chapter.targets if a.set_by)
    assert (vision_zero.commitment_label, vision_zero.measure.id) == ("7.1 of the Police and Crime Plan 2016-2021",
                                                                      "ksi_casualties")
    assert (vision_zero.judgement.value, round(vision_zero.judgement.path), vision_zero.judgement.verdict) == \
        (826, 575, OFF_COURSE)
    said = " ".join(chapter.target_sentences(vision_zero.measure))
    assert "Target (commitment 7.1 of the Police and Crime Plan 2016-2021): 0 people killed or seriously injured" in said
    # judged once, in the first priority that reports the measure, and in the plan's main points' reach
    plan = dataset.plans["2021-2024"]
    carried = [a for a in plan_assessments(dataset, plan, Quarter.parse("2023-24-Q4")) if a.set_by]
    assert [a.commitment.id for a in carried] == ["7.1"]
    first = next(a for a in plan_assessments(dataset, plan, plan.first_quarter) if a.set_by)
    assert first.judgement is not None


def test_a_target_whose_baseline_and_measure_differ_says_so_with_its_verdict(dataset):
    # audit W10: the officer target compared an establishment baseline with officers in post (FTE)
    chapter = open_chapter("2021-2024", 1, "2023-24-Q4", str(dataset.root))
    officers = next(a for a in chapter.targets if a.measure.id == "officer_fte")
    said = chapter.target_sentences(officers.measure)
    assert "The comparison is not like for like: the baseline is the published establishment (posts) and the " \
           "measure officers in post (FTE)." in said
    assert "| met (not like for like) |" in chapter.key_figures().data


def test_the_chart_draws_the_path_it_states():
    chapter = open_chapter("2016-2021", 1, "2020-21-Q1", str(DATA))
    measure = chapter.dataset.measures["special_constables"]
    chart = trend_chart(measure, chapter.series(measure), chapter.quarter, None, chapter.target_paths(measure))
    path = chart.data[chart.data["series"] == PATH_LABEL]
    assert path["period"].iloc[0] == dt.date(2016, 4, 1) and path["value"].iloc[0] == pytest.approx(353)
    assert round(path["value"].iloc[-1]) == 652 and (path["status"] == "derived").all()
    drawn = [line for line in chart.figure.axes[0].get_lines() if line.get_label() == PATH_LABEL]
    assert len(drawn) == 1 and list(drawn[0].get_ydata()) == pytest.approx(list(path["value"]))
    assert "path to a target, at 652" in chart.alt


def test_a_rank_target_is_judged_on_the_position(data_copy):
    path = data_copy / "plans" / "2016-2021.yaml"
    text = path.read_text(encoding="utf-8").replace(
        '      - {id: "1.4", stage: plan,',
        '      - {id: "1.4", target: {measure: crime_solved_rate, rank: 3, by: 2021-03-31, source: "test"}, stage: plan,')
    path.write_text(text, encoding="utf-8")
    dataset = contracts.load(data_copy)
    assessment = next(a for a in plan_assessments(dataset, dataset.plans["2016-2021"], Quarter.parse("2020-21-Q4"))
                      if a.commitment.id == "1.4")
    assert assessment.position[:2] == (2, 8) and assessment.judgement.verdict == MET  # 2nd of 8 (seed-003)
    assert "It is 2nd of 8 for the 12 months to March 2021: met." in target_sentences(assessment, {})


@pytest.mark.parametrize("target, field", [
    ('{measure: special_constables, level: 700, percent: 100, baseline: 2016-04-30, by: 2021-03-31, source: s}',
     "target"),
    ('{measure: ksi_casualties, level: 0, baseline: 2015/16, by: 2040-12-31, source: s}', "target.measure"),
    ('{measure: special_constables, rank: 2, by: 2021-03-31, source: s}', "target.rank"),
    ('{measure: special_constables, level: 700, baseline: 2016/17, by: 2021-03-31, source: s}', "target.baseline"),
    ('{measure: total_recorded_crime, level: 9, baseline: 2016-04-30, by: 2021-03-31, source: s}', "target.baseline"),
    ('{measure: special_constables, level: 700, baseline: 2016-04-30, by: 2015-03-31, source: s}', "target.by"),
    ('{measure: special_constables, level: 700, baseline: 2016-04-30, by: 2021-03-31}', "target.source"),
    ('{measure: special_constables, level: lots, baseline: 2016-04-30, by: 2021-03-31, source: s}', "target.level"),
])
def test_a_bad_target_is_refused_naming_its_line_and_field(data_copy, target, field):
    path = data_copy / "plans" / "2016-2021.yaml"
    text = path.read_text(encoding="utf-8").replace(
        '      - {id: "1.4", stage: plan,', f'      - {{id: "1.4", target: {target}, stage: plan,')
    path.write_text(text, encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if '"1.4", target' in row)
    with pytest.raises(contracts.DataError) as raised:
        contracts.load(data_copy)
    problems = [p for p in raised.value.problems if p.field == field]
    assert problems and problems[0].line == line and problems[0].file.endswith("2016-2021.yaml")


def test_the_closure_review_judges_the_plans_targets_at_its_end_year():
    from pcpbook.present.review import open_review
    roads = open_review("2016-2021", str(DATA)).chapter(7).key_figures().data
    # seed-004 para 10.3: 846 killed or seriously injured in 2021/22, against 850 in 2015/16
    assert "**Targets at the end of 2021/22 Q4.**" in roads
    assert "| 7.1 | People killed or seriously injured on the roads (KSI) | 0 | 31 Dec 2040 | 850 (2015/16) | 846 | 644 | " \
           "off course |" in roads
