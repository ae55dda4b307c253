"""Write the bundled modelled dataset, ``data/observations.csv``.

No public source gives long monthly Essex series for every measure, so the demo data are
*modelled*: a level curve through annual anchors, a seasonal profile, COVID-19 effects and
noise, then raked (iterative proportional fitting) so that every total in
``data/published_figures.csv`` and every calibration target below is met exactly. Counts are
rounded on their running total, which keeps every interval total exact (round(S+T) =
round(S)+T for a whole T) and never produces a negative month.

Levels were checked against real police.uk Essex street-level months (2018-01..07, 2019-11):
e.g. burglary 852-1,091 a month, shoplifting 731-973, ASB 3,238-4,868 (Jan low, Jul high).
Every row is written with ``status=modelled``; the output is deterministic.

The force's similar forces (an illustrative group) get modelled series of the comparison
measures, and ``data/population.csv`` the population table they are rates of.

Usage: python scripts/make_demo_data.py [--data DIR]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import zlib
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import optimize

from pcpbook.core.periods import add_months, month_end

FIRST_MONTH = dt.date(2013, 4, 1)
LAST_MONTH = dt.date(2024, 3, 1)
SOURCE = "pcpbook demo generator (scripts/make_demo_data.py)"
HEADER = ["measure", "geography", "period_start", "period", "value", "source", "status"]

# Seasonal profiles, January..December (normalised to mean 1 below).
SEASONS = {
    "crime": [0.95, 0.88, 0.98, 0.98, 1.04, 1.04, 1.08, 1.04, 1.01, 1.02, 0.99, 0.95],
    "burglary": [1.08, 0.95, 0.98, 0.93, 0.94, 0.88, 0.93, 0.95, 0.97, 1.08, 1.17, 1.14],
    "asb": [0.80, 0.77, 0.90, 0.99, 1.08, 1.11, 1.16, 1.14, 1.02, 1.04, 0.98, 1.01],
    "domestic": [0.97, 0.88, 0.96, 0.98, 1.04, 1.04, 1.09, 1.07, 1.00, 0.99, 0.96, 1.02],
    "roads": [0.92, 0.85, 0.90, 0.93, 1.05, 1.08, 1.08, 1.02, 1.04, 1.08, 1.05, 1.00],
    "calls": [0.92, 0.87, 0.95, 0.97, 1.04, 1.05, 1.12, 1.10, 1.00, 1.00, 0.97, 1.01],
    "steady": [1.0] * 12,
    "retail": [0.97, 0.92, 1.00, 0.97, 1.00, 0.98, 1.01, 1.00, 0.98, 1.02, 1.04, 1.11],
    "outdoor": [0.85, 0.85, 0.95, 1.05, 1.10, 1.10, 1.10, 1.05, 1.00, 1.00, 0.95, 0.90],
}

# COVID-19 effect on each month, by profile of response (multiplies the base level).
COVID = {
    "crime": {"2020-04": 0.72, "2020-05": 0.82, "2020-06": 0.92, "2020-11": 0.92, "2021-01": 0.86,
              "2021-02": 0.86, "2021-03": 0.93},
    "burglary": {"2020-04": 0.55, "2020-05": 0.62, "2020-06": 0.75, "2020-11": 0.80, "2021-01": 0.70,
                 "2021-02": 0.70, "2021-03": 0.78},
    "asb": {"2020-04": 2.3, "2020-05": 2.0, "2020-06": 1.5, "2020-11": 1.4, "2021-01": 1.6,
            "2021-02": 1.5, "2021-03": 1.2},
    "roads": {"2020-04": 0.45, "2020-05": 0.62, "2020-06": 0.80, "2020-11": 0.85, "2021-01": 0.70,
              "2021-02": 0.72, "2021-03": 0.85},
    "calls": {"2020-04": 0.82, "2020-05": 0.90, "2020-06": 0.97, "2021-01": 0.88, "2021-02": 0.88},
    "retail": {"2020-04": 0.35, "2020-05": 0.45, "2020-06": 0.70, "2020-11": 0.70, "2021-01": 0.55,
               "2021-02": 0.55, "2021-03": 0.70},
    "nte": {"2020-04": 0.25, "2020-05": 0.3, "2020-06": 0.45, "2020-07": 0.8, "2020-08": 0.85, "2020-09": 0.85,
            "2020-10": 0.7, "2020-11": 0.35, "2020-12": 0.5, "2021-01": 0.25, "2021-02": 0.25, "2021-03": 0.3,
            "2021-04": 0.5, "2021-05": 0.7, "2021-06": 0.85},
    "none": {},
}

# Count measures: first month, seasonal profile, COVID profile, annual totals by financial year
# (start year) through which the level curve passes before raking.
COUNTS = {
    "total_recorded_crime": ("crime", "crime", {2013: 95000, 2014: 100000, 2015: 111022, 2016: 130000, 2017: 150000, 2018: 160000, 2019: 167226, 2020: 148135, 2021: 165518, 2022: 170000, 2023: 165000}),
    "burglary": ("burglary", "burglary", {2013: 14500, 2014: 13600, 2015: 13032, 2016: 12400, 2017: 12000, 2018: 11800, 2019: 10400, 2020: 7600, 2021: 6535, 2022: 6300, 2023: 6000}),
    "residential_burglary": ("burglary", "burglary", {2013: 10300, 2014: 9700, 2015: 9300, 2016: 8800, 2017: 8500, 2018: 8200, 2019: 7000, 2020: 4900, 2021: 5000, 2022: 4800, 2023: 4500}),
    "domestic_abuse": ("domestic", "none", {2013: 12000, 2014: 13500, 2015: 15000, 2016: 18500, 2017: 22000, 2018: 26000, 2019: 29800, 2020: 29600, 2021: 30300, 2022: 31000, 2023: 29500}),
    "domestic_abuse_incidents": ("domestic", "none", {2013: 27500, 2014: 29000, 2015: 30719, 2016: 33000, 2017: 35500, 2018: 38000, 2019: 40500, 2020: 42000, 2021: 42802, 2022: 43300, 2023: 42000}),
    "anti_social_behaviour": ("asb", "asb", {2013: 62000, 2014: 57000, 2015: 52732, 2016: 50500, 2017: 48500, 2018: 47000, 2019: 41658, 2020: 62070, 2021: 30674, 2022: 28000, 2023: 26500}),
    "violence_with_injury": ("domestic", "crime", {2013: 8500, 2014: 9800, 2015: 11680, 2016: 13000, 2017: 14000, 2018: 14800, 2019: 15262, 2020: 13204, 2021: 15706, 2022: 15900, 2023: 15200}),
    "knife_crime": ("crime", "crime", {2013: 700, 2014: 720, 2015: 755, 2016: 900, 2017: 1150, 2018: 1400, 2019: 1600, 2020: 1400, 2021: 1636, 2022: 1600, 2023: 1500}),
    "drug_trafficking": ("steady", "none", {2013: 1000, 2016: 900, 2018: 1000, 2019: 1150, 2020: 1300, 2021: 1250, 2023: 1150}),
    "rape_sexual_offences": ("domestic", "crime", {2013: 2000, 2015: 2900, 2017: 3600, 2019: 4100, 2020: 3900, 2021: 4600, 2022: 4500, 2023: 4400}),
    "stalking_harassment": ("crime", "none", {2013: 5000, 2015: 9000, 2017: 16000, 2019: 22000, 2020: 25000, 2021: 27000, 2022: 26000, 2023: 19000}),
    "shoplifting": ("retail", "retail", {2013: 10000, 2015: 10200, 2018: 10900, 2019: 10500, 2020: 6800, 2021: 7900, 2022: 9800, 2023: 12500}),
    "fraud": ("steady", "none", {2013: 1000, 2016: 1400, 2018: 1700, 2019: 1850, 2020: 1550, 2021: 1500, 2023: 1450}),
    "dog_theft": ("steady", "none", {2013: 60, 2018: 70, 2020: 95, 2021: 85, 2022: 70, 2023: 65}),
    "rural_crime": ("outdoor", "none", {2013: 2200, 2016: 2000, 2019: 1900, 2020: 2100, 2023: 1800}),
    "hate_crime": ("outdoor", "none", {2013: 1300, 2015: 1800, 2016: 2300, 2017: 2700, 2018: 3000, 2019: 3250, 2020: 3900, 2021: 4300, 2022: 4100, 2023: 3900}),
    "ksi_casualties": ("roads", "roads", {2013: 720, 2014: 780, 2015: 850, 2016: 880, 2017: 900, 2018: 870, 2019: 830, 2020: 641, 2021: 846, 2022: 830, 2023: 800}),
    "ksi_fatal": ("roads", "roads", {2013: 50, 2016: 52, 2019: 46, 2020: 40, 2021: 45, 2023: 42}),
    "drug_driving_arrests": ("roads", "none", {2013: 250, 2014: 300, 2015: 350, 2016: 450, 2017: 800, 2018: 1400, 2019: 1900, 2020: 2500, 2021: 2200, 2022: 2100, 2023: 2000}),
    "emergency_calls_999": ("calls", "calls", {2013: 280000, 2015: 300000, 2017: 330000, 2018: 340000, 2019: 345000, 2020: 300000, 2021: 340000, 2022: 350000, 2023: 340000}),
    "non_emergency_calls_101": ("steady", "none", {2013: 420000, 2015: 380000, 2017: 330000, 2019: 290000, 2020: 290000, 2021: 270000, 2023: 240000}),
    "online_crime_reports": ("steady", "none", {2016: 13400, 2017: 15500, 2018: 18000, 2019: 20000, 2020: 23208, 2021: 28000, 2022: 32000, 2023: 36000}),
    "special_constabulary_hours": ("outdoor", "none", {2013: 150000, 2016: 160000, 2018: 180000, 2019: 192465, 2020: 214503, 2021: 200000, 2022: 190000, 2023: 185000}),
    "esp_hours": ("steady", "none", {2015: 2000, 2016: 2500, 2018: 3200, 2019: 3500, 2020: 3700, 2023: 3000}),
    "csc_hours": ("outdoor", "none", {2019: 1600, 2020: 2300, 2021: 2500, 2023: 2200}),
    "night_time_economy_crime": ("outdoor", "nte", {2013: 3900, 2016: 3800, 2018: 3750, 2019: 3700, 2020: 1700, 2021: 2900, 2022: 3300, 2023: 3200}),
    "cyber_online_offences": ("steady", "none", {2013: 1500, 2016: 2500, 2017: 3000, 2018: 3600, 2019: 4300, 2020: 5600, 2021: 6400, 2022: 6800, 2023: 7000}),
    "homicide": ("steady", "none", {2013: 16, 2016: 18, 2018: 21, 2019: 22, 2020: 19, 2021: 17, 2023: 16}),
    "personal_robbery": ("crime", "crime", {2013: 1300, 2016: 1350, 2018: 1500, 2019: 1450, 2020: 1150, 2021: 1250, 2022: 1300, 2023: 1280}),
}
# Components share the noise of their whole, so a part never outgrows it.
REMAINDERS = {"ksi_serious": ("ksi_casualties", "ksi_fatal")}  # part: (whole, the other part)
NOISE_OF = {"residential_burglary": "burglary", "ksi_fatal": "ksi_casualties",
            "domestic_abuse": "domestic_abuse_incidents"}
FIRST = {"online_crime_reports": dt.date(2016, 9, 1), "esp_hours": dt.date(2015, 4, 1),
         "csc_hours": dt.date(2019, 4, 1)}

# Calibration targets the seeds give in forms published_figures.csv cannot hold (an average over
# an odd window, a stated change between two unstated totals, approximate figures). Each is a
# whole-number total over (first month, number of months).
TARGETS = [
    # seed-004 App. 1 s1: 1,118 online reports a month, September 2016 to March 2017.
    ("online_crime_reports", dt.date(2016, 9, 1), 7, 7826),
    # seed-002 P1: about 3,000 crimes a month reported online (Q2 2023/24); approximate.
    ("online_crime_reports", dt.date(2023, 7, 1), 3, 9000),
    # seed-001: residential burglary up 189 from Q1 to Q2 2021/22 and down 13% July to September.
    ("residential_burglary", dt.date(2021, 4, 1), 3, 1000),
    ("residential_burglary", dt.date(2021, 7, 1), 3, 1189),
    ("residential_burglary", dt.date(2021, 9, 1), 1, 387),
    # seed-004 App. 1 s6: more than 3,600 hate crimes in 2020, up 14.4% on 2019.
    ("hate_crime", dt.date(2020, 1, 1), 12, 3620),
    ("hate_crime", dt.date(2019, 1, 1), 12, 3164),
    # seed-003 P1: March 2021 about 3,200 more 999 calls than January or February.
    ("emergency_calls_999", dt.date(2021, 1, 1), 1, 21099),
    ("emergency_calls_999", dt.date(2021, 2, 1), 1, 21099),
    # seed-003 appendix: drug trafficking 0.67 and homicide 0.010 per 1,000 residents (January 2021
    # update; here 2020/21, at Essex's modelled mid-2020 population of 1,866,800).
    ("drug_trafficking", dt.date(2020, 4, 1), 12, 1251),
    ("homicide", dt.date(2020, 4, 1), 12, 19),
]

# Headcounts at month ends, through which the model passes; published snapshots are added.
SNAPSHOTS = {
    "officer_fte": {"2013-04-30": 3050, "2015-03-31": 2900, "2017-03-31": 2900, "2018-03-31": 3000,
                    "2019-03-31": 3150, "2020-03-31": 3280, "2023-03-31": 3755, "2024-03-31": 3760},
    "special_constables": {"2013-04-30": 420, "2015-03-31": 370, "2017-03-31": 400, "2018-03-31": 450,
                           "2019-03-31": 500, "2022-03-31": 560, "2023-03-31": 540, "2024-03-31": 520},
    "police_volunteers": {"2013-04-30": 90, "2016-03-31": 100, "2022-03-31": 200, "2024-03-31": 215},
}

# Survey percentages by financial year (start year); quarterly values average to these.
PERCENTS = {
    "public_confidence": (dt.date(2017, 4, 1), {2017: 68.7, 2018: 72.5, 2019: 75.0, 2020: 77.5, 2021: 79.0, 2022: 77.0, 2023: 75.5}),
    "victim_satisfaction": (dt.date(2013, 4, 1), {2013: 82.0, 2016: 79.0, 2019: 75.0, 2021: 72.0, 2023: 70.0}),
}


def months_from(first: dt.date) -> list[dt.date]:
    count = (LAST_MONTH.year - first.year) * 12 + LAST_MONTH.month - first.month + 1
    return [add_months(first, k) for k in range(count)]


def rng_for(measure: str) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(measure.encode()))


def level_curve(months: list[dt.date], annual: dict[int, float], per_year: int = 12) -> np.ndarray:
    """Level per period (annual figure / ``per_year``), log-linear between FY mid-points.
    Counts spread an annual total over 12 months; a survey rate is the same in every quarter
    (``per_year=1``)."""
    years = sorted(annual)
    x = np.array([y + 0.5 for y in years])
    y = np.log([annual[year] / per_year for year in years])
    t = np.array([m.year + (m.month - 4) / 12 + 1 / 24 for m in months])
    return np.exp(np.interp(t, x, y))


def base_counts(measure: str, months: list[dt.date]) -> np.ndarray:
    season, covid, annual = COUNTS[measure]
    profile = np.array(SEASONS[season]) / np.mean(SEASONS[season])
    level = level_curve(months, annual)
    days = np.array([month_end(m).day for m in months])
    shape = np.array([profile[m.month - 1] * COVID[covid].get(f"{m:%Y-%m}", 1.0) for m in months])
    noise_sd = np.sqrt(1 / np.maximum(level, 1) + 0.04 ** 2)
    noise = np.exp(rng_for(NOISE_OF.get(measure, measure)).normal(0, noise_sd))
    return level * shape * days / 30.44 * noise


def rake(values: np.ndarray, windows: list[tuple[int, int, float]]) -> np.ndarray:
    """Scale ``values`` until every (start, length, total) window sums to its total."""
    x = values.astype(float).copy()
    for _ in range(5000):
        worst = 0.0
        for start, length, total in windows:
            current = x[start:start + length].sum()
            x[start:start + length] *= total / current
            worst = max(worst, abs(current - total) / total)
        if worst < 1e-12:
            return x
    raise RuntimeError("raking did not converge: the targets are inconsistent")


def round_keeping_totals(values: np.ndarray, windows: list[tuple[int, int, float]]) -> np.ndarray:
    """Whole numbers whose every window total is still exact (rounded on the running sum)."""
    running = np.concatenate([[0.0], np.cumsum(values)])
    for offset in (0.5, 0.25, 0.75):
        rounded = np.diff(np.floor(running + offset)).astype(int)
        if all(rounded[s:s + n].sum() == round(t) for s, n, t in windows):
            return rounded
    raise RuntimeError("rounding broke a total")


def count_windows(measure: str, months: list[dt.date], published: pd.DataFrame) -> list[tuple[int, int, float]]:
    index = {m: k for k, m in enumerate(months)}
    lengths = {"month": 1, "quarter": 3, "fy": 12, "year": 12}
    rows = published[(published["measure"] == measure) & published["period"].isin(list(lengths))]
    windows = [(index[dt.date.fromisoformat(r.period_start)], lengths[r.period], float(r.value))
               for r in rows.itertuples()]
    windows += [(index[start], n, float(total)) for m, start, n, total in TARGETS if m == measure]
    return windows


def model_counts(measure: str, published: pd.DataFrame) -> list[tuple[dt.date, str, float]]:
    months = months_from(FIRST.get(measure, FIRST_MONTH))
    windows = count_windows(measure, months, published)
    values = round_keeping_totals(rake(base_counts(measure, months), windows), windows)
    return [(m, "month", int(v)) for m, v in zip(months, values)]


def model_snapshots(measure: str, published: pd.DataFrame) -> list[tuple[dt.date, str, float]]:
    anchors = {dt.date.fromisoformat(k): v for k, v in SNAPSHOTS[measure].items()}
    for row in published[published["measure"] == measure].itertuples():
        day = dt.date.fromisoformat(row.period_start)
        # a date at a month's end stays; "as at 1 February" is the end of January
        end = day if month_end(day) == day else day - dt.timedelta(days=day.day)
        anchors[end] = float(row.value)
    month_ends = [month_end(m) for m in months_from(FIRST_MONTH)]
    days = sorted(anchors)
    ordinal = [d.toordinal() for d in days]
    level = np.interp([d.toordinal() for d in month_ends], ordinal, [anchors[d] for d in days])
    wobble = np.cumsum(rng_for(measure).normal(0, 0.003, len(month_ends)))
    values = np.rint(level * (1 + wobble - np.convolve(wobble, np.ones(7) / 7, mode="same")))
    for k, day in enumerate(month_ends):
        if day in anchors:
            values[k] = anchors[day]
    return [(d, "snapshot", int(v)) for d, v in zip(month_ends, values)]


def model_percent(measure: str, published: pd.DataFrame) -> list[tuple[dt.date, str, float]]:
    first, annual = PERCENTS[measure]
    fixed = {int(r.period_start[:4]): float(r.value)
             for r in published[(published["measure"] == measure) & (published["period"] == "fy")].itertuples()}
    return percent_series(first, LAST_MONTH, {**annual, **fixed}, measure)


def percent_series(first: dt.date, last: dt.date, targets: dict[int, float], key: str) -> list:
    """Quarterly survey (or outcome) rates from ``first`` to the quarter starting ``last``,
    whose four quarters of each financial year in ``targets`` average exactly to its figure."""
    quarters = [q for q in months_from(first)[::3] if q <= last]
    level = level_curve(quarters, targets, per_year=1)
    tenths = level * 10 * np.exp(rng_for(key).normal(0, 0.006, len(quarters)))
    windows = [(k, 4, 40 * targets[q.year]) for k, q in enumerate(quarters)
               if q.month == 4 and q.year in targets and k + 4 <= len(quarters)]
    values = round_keeping_totals(rake(tenths, windows), windows)
    return [(q, "quarter", round(v / 10, 1)) for q, v in zip(quarters, values)]


# ----------------------------------------------------------------------------- similar forces
# An illustrative most similar group (data/peer_group.csv): the Home Office's MSG is not bundled.
# The seed's MSG appendix (seed-003, 2020/21 Q4) gives Essex's figures only, so the seven other
# forces' series are modelled, calibrated so that the 2020-21-Q4 edition restates them.
FORCE = "Essex"
PEERS = ("Kent", "Hampshire", "Sussex", "Hertfordshire", "Thames Valley", "Avon and Somerset", "Staffordshire")
# ONS mid-year population estimates by police force area, rounded to the nearest 1,000.
POPULATION_SOURCE = "ONS mid-year population estimates, police force areas (rounded to the nearest 1,000)"
POPULATION = {
    "Essex": [1755, 1775, 1791, 1807, 1820, 1833, 1847], "Kent": [1764, 1783, 1798, 1817, 1832, 1846, 1860],
    "Hampshire": [1925, 1939, 1953, 1969, 1979, 1986, 1992], "Sussex": [1636, 1652, 1668, 1684, 1693, 1704, 1712],
    "Hertfordshire": [1141, 1154, 1165, 1176, 1181, 1184, 1190],
    "Thames Valley": [2170, 2192, 2212, 2233, 2244, 2258, 2269],
    "Avon and Somerset": [1631, 1646, 1665, 1683, 1695, 1711, 1719],
    "Staffordshire": [1107, 1111, 1114, 1120, 1126, 1131, 1136],
}
PUBLISHED_YEARS = range(2013, 2020)
MODELLED_YEARS = range(2020, 2024)  # after mid-2019: grown at each force's 2014-2019 average rate
# seed-003 appendix (2020/21 Q4): Essex 79.35 crimes per 1,000, 18,586 crimes above the MSG
# average and 27,410 above the top quartile; the 2020/21 total is seed-004 para 2.8's 148,135.
CRIME_RATE, CRIME_TO_AVERAGE, CRIME_TO_QUARTILE, CRIME_2020 = 79.35, -18_586, -27_410, 148_135
CRIME_WINDOW = dt.date(2020, 4, 1)
# The peers' 2020/21 crime rates per 1,000 (illustrative) but for two, solved below so that the
# group's average and upper quartile are the seed's.
PEER_CRIME_RATES = {"Kent": 58.0, "Hampshire": 63.8, "Sussex": None, "Hertfordshire": 68.5, "Thames Valley": 71.0,
                    "Avon and Somerset": 73.5, "Staffordshire": None}
# Outcome and survey rates by financial year (start year): Essex's path, and the peers' 2020/21
# (solved) or 2019/20 (confidence) figures, each peer following Essex's path in proportion.
# seed-003: Essex solved 16.2% of crimes (2nd in its MSG, within the top quartile); 48.6% of
# residents had confidence in the police (Crime Survey, data to March 2020; 8th, 6.5 points
# below the MSG average and 12.6 below the top quartile).
SOLVED = (dt.date(2013, 4, 1), {2013: 24.0, 2015: 21.0, 2017: 18.5, 2019: 16.8, 2020: 16.2, 2021: 14.6,
                                2022: 13.8, 2023: 14.4}, 2020,
          {"Kent": 18.9, "Hampshire": 15.1, "Sussex": 14.2, "Hertfordshire": 13.5, "Thames Valley": 12.8,
           "Avon and Somerset": 12.0, "Staffordshire": 11.4})
CONFIDENCE = (dt.date(2013, 4, 1), {2013: 52.0, 2015: 50.5, 2017: 49.0, 2018: 48.8, 2019: 48.6}, 2019,
              {"Kent": 49.5, "Hampshire": 50.5, "Sussex": 52.0, "Hertfordshire": 53.4, "Thames Valley": 61.0,
               "Avon and Somerset": 61.8, "Staffordshire": 64.0})
CONFIDENCE_LAST = dt.date(2020, 1, 1)  # the Crime Survey's force figures stop at March 2020


# seed-003's comparison appendix (January 2021 update), beyond the three above: each indicator's
# position, its previous (October 2020) position and, where the seed gives them, the change
# required to reach the group average and the upper quartile (offences, or percentage points).
# The book counts them over the 12 months to March 2021 and, for the previous position, to
# December 2020. None: the seed's "N/A" (already better than that point).
@dataclass(frozen=True)
class Standing:
    position: int
    before: int
    to_average: float | None = None
    to_quartile: float | None = None
    polarity: str = "down_is_good"
    changes: bool = True  # False: the seed's changes required are not carried (only the positions)


APPENDIX_COUNTS = {
    "violence_with_injury": Standing(5, 4, None, -476),
    "homicide": Standing(7, 4, -3, -10),
    "drug_trafficking": Standing(3, 4, changes=False),  # the seed's -203 and -549 together fit no ranking of eight
}
# Essex's 2020/21 value of each solved rate (seed-003), with its standing.
# Essex's solved rates by financial year (2020/21 the seed's), its standing, and the offences the
# rates are shares of.
APPENDIX_RATES = {
    "vwi_solved_rate": ({2013: 29.5, 2016: 24.0, 2018: 20.5, 2019: 19.2, 2020: 18.2, 2021: 16.8, 2023: 16.2},
                        Standing(4, 4, 1.2, 2.0, "up_is_good"), "violence_with_injury"),
    "drug_trafficking_solved_rate": ({2013: 80.5, 2016: 79.8, 2019: 78.9, 2020: 78.3, 2021: 77.2, 2023: 76.6},
                                     Standing(4, 4, None, 9.0, "up_is_good"), "drug_trafficking"),
}
APPENDIX_NOW, APPENDIX_BEFORE = dt.date(2020, 4, 1), dt.date(2020, 1, 1)  # 12-month windows


def populations() -> dict[str, dict[int, tuple[int, str]]]:
    """Population by force and mid-year, with its status: published to mid-2019, modelled after.
    Essex's mid-2020 figure is the one the seed's rate implies (148,135 crimes at 79.35 per 1,000)."""
    table = {}
    for force, thousands in POPULATION.items():
        people = {year: value * 1000 for year, value in zip(PUBLISHED_YEARS, thousands)}
        growth = (people[2019] / people[2014]) ** (1 / 5)
        table[force] = {year: (value, "published") for year, value in people.items()}
        start = round(CRIME_2020 / CRIME_RATE * 1000, -2) if force == FORCE else people[2019] * growth
        for k, year in enumerate(MODELLED_YEARS):
            table[force][year] = (int(round(start * growth ** k, -2)), "modelled")
    return table


def peer_crime_totals(people: dict[str, dict[int, tuple[int, str]]]) -> dict[str, int]:
    """Each peer's 2020/21 crimes, so that the group's average and upper quartile leave Essex
    the seed's distances from them (checked with the library's own comparison)."""
    from pcpbook.stats.benchmark import Figure, compare
    essex_people = people[FORCE][2020][0]
    essex = 1000 * CRIME_2020 / essex_people
    average = essex + CRIME_TO_AVERAGE * 1000 / essex_people
    quartile = essex + CRIME_TO_QUARTILE * 1000 / essex_people
    rates = dict(PEER_CRIME_RATES)
    ordered = sorted(r for r in rates.values() if r is not None)  # the two best, for the quartile
    rates["Sussex"] = ordered[1] + (quartile - ordered[1]) / 0.75  # third best: the quartile lies 3/4 towards it
    rates["Staffordshire"] = 8 * average - essex - sum(r for f, r in rates.items() if f != "Staffordshire")
    totals = {force: round(rate * people[force][2020][0] / 1000) for force, rate in rates.items()}
    for nudge in [(a, b) for a in range(-3, 4) for b in range(-3, 4)]:
        trial = {**totals, "Sussex": totals["Sussex"] + nudge[0], "Staffordshire": totals["Staffordshire"] + nudge[1]}
        figures = [Figure(FORCE, CRIME_2020, essex_people)] + [Figure(f, c, people[f][2020][0]) for f, c in trial.items()]
        group = compare(figures, "per_1000_population", "down_is_good")
        if (round(group.change_to_average(FORCE)), round(group.change_to_upper_quartile(FORCE))) == \
                (CRIME_TO_AVERAGE, CRIME_TO_QUARTILE):
            return trial
    raise RuntimeError("no whole numbers of crimes meet the seed's MSG figures")


def model_peer_crime(essex: list[tuple[dt.date, str, float]], force: str, total: int) -> list:
    """A peer's monthly crimes: Essex's pattern with the peer's own noise, at the peer's level,
    its 2020/21 total exact."""
    months = [m for m, _, _ in essex]
    start = months.index(CRIME_WINDOW)
    values = np.array([v for _, _, v in essex], dtype=float)
    values *= np.exp(rng_for(f"total_recorded_crime/{force}").normal(0, 0.03, len(values)))
    values *= total / values[start:start + 12].sum()
    window = [(start, 12, float(total))]
    return [(m, "month", int(v)) for m, v in zip(months, round_keeping_totals(rake(values, window), window))]


def model_rates(spec, force: str, measure: str, last: dt.date = LAST_MONTH) -> list:
    """Quarterly rates for a force: Essex's path, scaled for a peer to its figure in the
    calibrated year."""
    first, path, year, peers = spec
    scale = 1.0 if force == FORCE else peers[force] / path[year]
    targets = {y: min(round(v * scale, 1), 99.9) for y, v in path.items()}  # a share of offences stays below 100%
    targets[year] = path[year] if force == FORCE else peers[force]
    return percent_series(first, last, targets, f"{measure}/{force}")


def generate_group(essex_crime: list) -> list[dict]:
    """The comparison measures for the force and its group: crimes (peers only: Essex's are
    above), solved rates and Crime Survey confidence."""
    rows = []
    totals = peer_crime_totals(populations())
    series = [("total_recorded_crime", f, model_peer_crime(essex_crime, f, totals[f])) for f in PEERS]
    for force in (FORCE, *PEERS):
        series.append(("crime_solved_rate", force, model_rates(SOLVED, force, "crime_solved_rate")))
        series.append(("public_confidence_csew", force,
                       model_rates(CONFIDENCE, force, "public_confidence_csew", CONFIDENCE_LAST)))
    for measure, force, values in series:
        rows += [{"measure": measure, "geography": force, "period_start": start.isoformat(), "period": period,
                  "value": value, "source": SOURCE, "status": "modelled"} for start, period, value in values]
    return rows


def solve_peers(measure: str, essex: float, standing: Standing, scale: float,
                ceiling: float = float("inf")) -> dict[str, float]:
    """Seven peers' values around Essex's (rates per 1,000, or percentages) that rank it at its
    position and put the group average and upper quartile where the seed's changes required say
    (``scale``: the value one unit of the seed's change is worth: 1,000 over Essex's residents
    for offences, 1 for percentage points). Peers better than Essex stay better, the others worse."""
    better = 1 if standing.polarity == "up_is_good" else -1
    order = list(rng_for(f"appendix/{measure}").permutation(PEERS))
    ahead = set(order[:standing.position - 1])
    base = np.array([essex * (1 + better * 0.06 * (k + 1)) if f in ahead else essex * (1 - better * 0.05 * (k + 1))
                     for k, f in enumerate(order)])
    bounds = [tuple(sorted((essex * (1 + better * 0.005), essex * (1 + better * 0.9)))) if f in ahead else
              tuple(sorted((essex * (1 - better * 0.005), essex * (1 - better * 0.6)))) for f in order]
    bounds = [(low, min(high, ceiling)) for low, high in bounds]

    def miss(x):
        values = np.append(x, essex)
        cost = 1e-6 * np.sum(((x - base) / essex) ** 2)  # the base spread only breaks ties
        average, quartile = values.mean(), np.quantile(values, 0.75 if better == 1 else 0.25)
        for point, change in ((average, standing.to_average), (quartile, standing.to_quartile)):
            if not standing.changes:
                continue
            if change is not None:
                cost += ((point - (essex + change * scale)) / essex) ** 2
            elif better * (point - essex) > -0.01 * essex:  # the seed's N/A: Essex is already past the point
                cost += ((point - essex * (1 - better * 0.02)) / essex) ** 2
        return cost

    found = optimize.minimize(miss, base.clip([b[0] for b in bounds], [b[1] for b in bounds]), bounds=bounds,
                              method="L-BFGS-B", options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 10_000})
    return dict(zip(order, found.x))


def check_standing(measure: str, figures: list, unit: str, standing: Standing, position_only: bool = False) -> bool:
    """Whether the library's own comparison of ``figures`` gives the seed's position and changes."""
    from pcpbook.stats.benchmark import compare
    group = compare(figures, unit, standing.polarity)
    if position_only or not standing.changes:
        return group.standing(FORCE).position == standing.position

    def rounded(change):
        return None if change is None else round(change, 1) if unit == "percent" else round(change)
    return (group.standing(FORCE).position, rounded(group.change_to_average(FORCE)),
            rounded(group.change_to_upper_quartile(FORCE))) == (standing.position, standing.to_average,
                                                                standing.to_quartile)


def appendix_counts(measure: str, essex: list, standing: Standing) -> list[dict]:
    """The peers' monthly series of a compared count: Essex's pattern with each peer's own noise,
    at levels that give the seed's standing in the 12 months to March 2021 and its previous
    position in the 12 months to December 2020 (checked with the library's comparison)."""
    from pcpbook.stats.benchmark import Figure
    people = {force: years[2020][0] for force, years in populations().items()}
    months = [m for m, _, _ in essex]
    values = np.array([v for _, _, v in essex], dtype=float)
    now, before = months.index(APPENDIX_NOW), months.index(APPENDIX_BEFORE)
    essex_now, essex_before = values[now:now + 12].sum(), values[before:before + 12].sum()
    rates = solve_peers(measure, 1000 * essex_now / people[FORCE], standing, 1000 / people[FORCE])
    totals = {force: round(rate * people[force] / 1000) for force, rate in rates.items()}
    steps = (0, 1, -1, 2, -2, 3, -3)
    for first, second, d, e in [(f, g, d, e) for d in steps for e in steps for f in PEERS for g in PEERS if f < g]:
        trial = {**totals, first: totals[first] + d}
        trial[second] += e
        figures = [Figure(FORCE, essex_now, people[FORCE])] + [Figure(f, c, people[f]) for f, c in trial.items()]
        if check_standing(measure, figures, "per_1000_population", standing):
            totals = trial
            break
    else:
        raise RuntimeError(f"{measure}: no whole numbers give the seed's standing")
    earlier = previous_totals(measure, totals, people, essex_now, essex_before, standing)
    figures = [Figure(FORCE, essex_before, people[FORCE])] + [Figure(f, c, people[f]) for f, c in earlier.items()]
    if not check_standing(measure, figures, "per_1000_population", replace(standing, position=standing.before,
                                                                            to_average=None, to_quartile=None),
                          position_only=True):
        raise RuntimeError(f"{measure}: the 12 months to December 2020 do not give the seed's previous position")
    rows = []
    for force in PEERS:
        noisy = values * np.exp(rng_for(f"{measure}/{force}").normal(0, 0.05, len(values)))
        windows = [(before, 12, float(earlier[force])), (now, 12, float(totals[force]))]
        series = round_keeping_totals(rake(noisy * totals[force] / noisy[now:now + 12].sum(), windows), windows)
        rows += [{"measure": measure, "geography": force, "period_start": m.isoformat(), "period": "month",
                  "value": int(v), "source": SOURCE, "status": "modelled"} for m, v in zip(months, series)]
    return rows


def previous_totals(measure: str, totals: dict, people: dict, essex_now: float, essex_before: float,
                    standing: Standing) -> dict[str, int]:
    """Each peer's 12 months to December 2020, moving as Essex moved, with the forces nearest
    Essex crossing it so that its previous position is the seed's."""
    better = 1 if standing.polarity == "up_is_good" else -1
    rate = {f: totals[f] / people[f] for f in PEERS}
    essex = essex_now / people[FORCE]
    ahead = sorted((f for f in PEERS if better * (rate[f] - essex) > 0), key=lambda f: better * (rate[f] - essex))
    behind = sorted((f for f in PEERS if f not in ahead), key=lambda f: better * (essex - rate[f]))
    shift = standing.before - standing.position  # > 0: Essex was lower then, so forces now behind were ahead
    crossing = behind[:shift] if shift > 0 else ahead[:-shift]
    ratio = essex_before / essex_now
    earlier = {f: totals[f] * ratio for f in PEERS}
    gap = 0.02 if essex_before > 500 else 0.12  # a few homicides: a clear step, so rounding cannot tie them
    for k, force in enumerate(crossing):
        step = (1 + better * gap * (k + 1)) if shift > 0 else (1 - better * gap * (k + 1))
        earlier[force] = essex_before / people[FORCE] * step * people[force]
    return {f: max(1, round(v)) for f, v in earlier.items()}


def appendix_rates(measure: str, path: dict[int, float], standing: Standing, base: str, rows: list[dict]) -> list:
    """Quarterly solved rates for Essex and its peers, each peer following Essex's path in
    proportion, at 2020/21 figures that give the seed's standing (the base: the offences solved
    rates are shares of, from ``rows``)."""
    from pcpbook.stats.benchmark import Figure
    window = {add_months(APPENDIX_NOW, k).isoformat() for k in range(12)}
    offences = {force: sum(r["value"] for r in rows if r["measure"] == base and r["geography"] == force
                           and r["period"] == "month" and r["period_start"] in window) for force in (FORCE, *PEERS)}
    essex = path[APPENDIX_NOW.year]
    solved = {f: round(v, 1) for f, v in solve_peers(measure, essex, standing, 1.0, ceiling=95.0).items()}
    for nudge in [(f, d) for d in (0, 0.1, -0.1, 0.2, -0.2) for f in PEERS]:
        trial = {**solved, nudge[0]: round(solved[nudge[0]] + nudge[1], 1)}
        figures = [Figure(f, v * offences[f] / 100, offences[f]) for f, v in {FORCE: essex, **trial}.items()]
        if check_standing(measure, figures, "percent", standing):
            solved = trial
            break
    else:
        raise RuntimeError(f"{measure}: no rates to one decimal give the seed's standing")
    spec = (FIRST_MONTH, path, APPENDIX_NOW.year, solved)
    return [(measure, force, model_rates(spec, force, measure)) for force in (FORCE, *PEERS)]


def generate_appendix(essex_rows: list[dict]) -> list[dict]:
    """The rest of seed-003's comparison appendix: the peers' compared counts, then Essex's and
    the peers' solved rates of them."""
    rows = []
    for measure, standing in APPENDIX_COUNTS.items():
        essex = [(dt.date.fromisoformat(r["period_start"]), "month", r["value"]) for r in essex_rows
                 if r["measure"] == measure and r["period"] == "month"]
        rows += appendix_counts(measure, essex, standing)
    for measure, (path, standing, base) in APPENDIX_RATES.items():
        for name, force, values in appendix_rates(measure, path, standing, base, essex_rows + rows):
            rows += [{"measure": name, "geography": force, "period_start": start.isoformat(), "period": period,
                      "value": value, "source": SOURCE, "status": "modelled"} for start, period, value in values]
    return rows


def remainders(rows: list[dict]) -> list[dict]:
    """The part of a whole the other parts leave (KSI less those killed: those seriously
    injured), month by month, so the parts add up to the whole as the catalogue requires."""
    values = {(r["measure"], r["period_start"]): r["value"] for r in rows if r["period"] == "month"}
    made = []
    for measure, (whole, other) in REMAINDERS.items():
        for (name, start), total in sorted(values.items()):
            if name == whole and (other, start) in values:
                left = total - values[(other, start)]
                assert left >= 0, f"{measure} {start}: {other} exceeds {whole}"
                made.append({"measure": measure, "geography": FORCE, "period_start": start, "period": "month",
                             "value": left, "source": SOURCE, "status": "modelled"})
    return made


# Essex's 14 districts (ONS 2019 codes): the 12 of the county with the unitary authorities of
# Southend-on-Sea and Thurrock, in the local policing areas of areas.yaml. Each has an
# approximate share of the force area's people (thousandths, after ONS mid-2019 estimates,
# rounded) and a crime level relative to its people (illustrative: towns above 1, rural below).
DISTRICTS = {
    "E07000066": ("Basildon", 101, 1.15), "E07000067": ("Braintree", 83, 0.8), "E07000068": ("Brentwood", 42, 0.9),
    "E07000069": ("Castle Point", 49, 0.75), "E07000070": ("Chelmsford", 97, 0.95),
    "E07000071": ("Colchester", 105, 1.05), "E07000072": ("Epping Forest", 71, 1.0), "E07000073": ("Harlow", 47, 1.3),
    "E07000074": ("Maldon", 35, 0.7), "E07000075": ("Rochford", 47, 0.65), "E07000076": ("Tendring", 79, 0.95),
    "E07000077": ("Uttlesford", 49, 0.7), "E06000033": ("Southend-on-Sea", 99, 1.25),
    "E06000034": ("Thurrock", 96, 1.1),
}
DISTRICT_MEASURES = ("total_recorded_crime", "residential_burglary", "violence_with_injury", "domestic_abuse",
                     "rape_sexual_offences")
# Planted changes, so the district page has something real to find: from April 2023 Harlow's
# burglaries run 45% above its usual share and Colchester's violence with injury 20% below.
DISTRICT_CHANGES = {("residential_burglary", "E07000073"): 1.45, ("violence_with_injury", "E07000071"): 0.8}
DISTRICT_CHANGE_FROM = dt.date(2023, 4, 1)
DISTRICT_SOURCE = SOURCE + ", split by district"


def district_rows(rows: list[dict]) -> list[dict]:
    """Each district measure's monthly force count split between the districts (multinomial,
    with each district's share drifting from month to month), so the districts sum to the force
    exactly."""
    made = []
    codes = list(DISTRICTS)
    weights = np.array([share * level for _, share, level in DISTRICTS.values()], dtype=float)
    for measure in DISTRICT_MEASURES:
        rng = rng_for(measure + " districts")
        leaning = np.exp(rng.normal(0, 0.1, len(codes)))  # each measure's own geography
        force = [r for r in rows if r["measure"] == measure and r["geography"] == FORCE and r["period"] == "month"]
        drift = np.zeros(len(codes))
        for row in force:
            drift = 0.8 * drift + rng.normal(0, 0.04, len(codes))
            start = dt.date.fromisoformat(row["period_start"])
            planted = np.array([DISTRICT_CHANGES.get((measure, code), 1.0) if start >= DISTRICT_CHANGE_FROM else 1.0
                                for code in codes])
            shares = weights * leaning * np.exp(drift) * planted
            counts = rng.multinomial(int(row["value"]), shares / shares.sum())
            made += [{"measure": measure, "geography": code, "period_start": row["period_start"], "period": "month",
                      "value": int(count), "source": DISTRICT_SOURCE, "status": "modelled"}
                     for code, count in zip(codes, counts)]
    return made


def district_populations(force_people: dict[int, tuple[int, str]]) -> dict[str, dict[int, int]]:
    """Each year's force population split by the districts' shares, largest remainders first,
    so the districts sum to the force exactly."""
    shares = np.array([share for _, share, _ in DISTRICTS.values()], dtype=float)
    table: dict[str, dict[int, int]] = {code: {} for code in DISTRICTS}
    for year, (people, _) in force_people.items():
        exact = people * shares / shares.sum()
        whole = np.floor(exact).astype(int)
        whole[np.argsort(whole - exact)[:people - whole.sum()]] += 1
        for code, value in zip(DISTRICTS, whole):
            table[code][year] = int(value)
    return table


def generate(published: pd.DataFrame) -> list[dict]:
    rows, essex_crime = [], None
    for measure, model in ([(m, model_counts) for m in COUNTS] + [(m, model_snapshots) for m in SNAPSHOTS]
                           + [(m, model_percent) for m in PERCENTS]):
        values = model(measure, published)
        essex_crime = values if measure == "total_recorded_crime" else essex_crime
        for start, period, value in values:
            rows.append({"measure": measure, "geography": FORCE, "period_start": start.isoformat(),
                         "period": period, "value": value, "source": SOURCE, "status": "modelled"})
    return rows + remainders(rows) + generate_group(essex_crime) + generate_appendix(rows) + district_rows(rows)


def write_population(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["geography", "year", "population", "source", "status"])
        for force, years in populations().items():
            for year, (people, status) in sorted(years.items()):
                source = POPULATION_SOURCE if status == "published" else (
                    "modelled: the ONS mid-2020 estimate is not bundled; set so that Essex's 148,135 crimes in "
                    "2020/21 (seed-004 para 2.8) are the 79.35 per 1,000 of seed-003's MSG table, then grown "
                    "as from mid-2014 to mid-2019" if force == FORCE else
                    "modelled: mid-2019 estimate grown at the force's mid-2014 to mid-2019 average rate")
                writer.writerow([force, year, people, source, status])
        for code, years in district_populations(populations()[FORCE]).items():
            for year, people in sorted(years.items()):
                writer.writerow([code, year, people, "modelled: the force area's population split by approximate "
                                 "district shares (after ONS mid-2019 estimates by local authority district)",
                                 "modelled"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parent.parent / "data")
    args = parser.parse_args()
    published = pd.read_csv(args.data / "published_figures.csv", dtype=str)
    rows = generate(published)
    with (args.data / "observations.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    write_population(args.data / "population.csv")
    print(f"wrote {len(rows)} modelled rows to {args.data / 'observations.csv'} and the population table")


if __name__ == "__main__":
    main()
