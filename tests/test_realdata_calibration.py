"""The modelled series follow real police.uk Essex months in ../shared/realdata (read in place,
never copied); skipped where that folder is absent."""

import collections
import csv
import datetime as dt

import pytest

from conftest import ROOT

POLICE_UK = ROOT.parent / "shared" / "realdata" / "police-uk"
pytestmark = pytest.mark.skipif(not POLICE_UK.is_dir(), reason="../shared/realdata/police-uk is not present")


@pytest.fixture(scope="module")
def real_counts():
    counts = collections.defaultdict(dict)
    for path in sorted(POLICE_UK.glob("*/*-street.csv")):
        month = dt.date.fromisoformat(path.parent.name + "-01")
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for crime_type, n in collections.Counter(r["Crime type"] for r in csv.DictReader(handle)).items():
                counts[crime_type][month] = n
    return counts


@pytest.mark.parametrize("measure, crime_type", [("burglary", "Burglary"), ("anti_social_behaviour", "Anti-social behaviour"),
                                                 ("shoplifting", "Shoplifting")])
def test_levels_follow_police_uk(dataset, real_counts, measure, crime_type):
    real = real_counts[crime_type]
    assert len(real) == 8
    modelled = dataset.monthly(measure, dt.date(2030, 1, 1)).set_index("period_start")["value"]
    ratios = [modelled[month] / count for month, count in real.items()]
    assert 0.85 < sum(ratios) / len(ratios) < 1.15
    assert all(0.75 < r < 1.3 for r in ratios)


def test_seasonal_rise_in_anti_social_behaviour_follows_police_uk(dataset, real_counts):
    real = real_counts["Anti-social behaviour"]
    modelled = dataset.monthly("anti_social_behaviour", dt.date(2030, 1, 1)).set_index("period_start")["value"]
    january, july = dt.date(2018, 1, 1), dt.date(2018, 7, 1)
    assert real[july] / real[january] == pytest.approx(modelled[july] / modelled[january], rel=0.15)
