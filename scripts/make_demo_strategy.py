"""Write the demonstration delivery plan and strand returns of the Crime Prevention Strategy
2018-2021: ``data/strategies/crime-prevention-2018-2021-actions.csv`` and
``data/strategy-returns/crime-prevention-2018-2021/2021-22-Q2.md``.

The real delivery plan is not published; the strategy report (seed-001, section 5.0) gives only
how many of each strand's actions were complete, ongoing or at risk in 2021/22 Q2, so the
actions here are generic demonstration actions in our own words, and the returns say
``Returns: modelled``. The counts per strand are the seed's, with one correction: its Digital
Crime and Fraud row says 43 actions but counts 27 complete, 16 ongoing and 1 at risk (44), and
its totals row (325 actions; 150, 175 and 1) does not add up either. Here that strand has 43
actions, 27 complete, 15 ongoing and 1 at risk, so the strategy's 325 actions are 150 complete,
174 ongoing and 1 at risk. Deterministic.

Usage: python scripts/make_demo_strategy.py [--data DIR]
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

STRATEGY = "crime-prevention-2018-2021"
QUARTER = "2021-22-Q2"
AREAS = ("North", "South", "West", "force-wide")
# strand: (action prefix, owner role, counts (complete, ongoing, at risk), action themes)
STRANDS = {
    "domestic-abuse": ("DA", "Domestic abuse problem-solving team lead", (13, 24, 0), (
        "refresh frontline training on recognising coercive control",
        "review how quickly officers attend reported domestic abuse",
        "agree joint plans for the highest-risk victims with partner agencies",
        "check the use of protection notices and orders",
        "target the most harmful repeat perpetrators",
        "improve the evidence gathered at the first visit")),
    "gangs-knife-crime": ("GK", "Serious violence unit lead", (30, 13, 0), (
        "patrol the places where street violence concentrates",
        "divert young people at risk away from drug lines",
        "seek injunctions against gang members",
        "share hospital data on knife injuries with partners",
        "run weapon sweeps and amnesties",
        "support victims and families affected by county lines")),
    "night-time-economy": ("NT", "Licensing and town-centre policing lead", (12, 12, 0), (
        "review each district's night-time plan",
        "work with licensed premises on problem venues",
        "run test purchases for under-age sales",
        "brief patrols on vulnerable people late at night",
        "publicise safe journeys home")),
    "child-abuse-exploitation": ("CE", "Child protection lead", (3, 20, 0), (
        "train officers to spot risk to children",
        "speed up referrals of online abuse",
        "improve interviews with vulnerable witnesses",
        "map offenders who exploit children",
        "join multi-agency exploitation meetings")),
    "extremism-radicalisation": ("ER", "Prevent lead", (1, 14, 0), (
        "train more staff as Prevent champions",
        "review how referrals are assessed",
        "plan an exercise with partners",
        "strengthen links with community groups")),
    "hate-crime": ("HC", "Hate crime lead", (16, 19, 0), (
        "promote ways to report hate crime",
        "review the hate crime investigation procedure",
        "work with the strategic hate crime partnership",
        "record crimes motivated by hostility to sex or gender",
        "support repeat victims")),
    "digital-crime-fraud": ("DF", "Economic and cyber crime lead", (27, 15, 1), (
        "work towards accreditation for digital evidence capture",
        "train other teams in digital investigation",
        "protect businesses against cyber attacks",
        "review romance fraud investigations",
        "support vulnerable fraud victims",
        "act on suspicious activity reports")),
    "burglary-robbery": ("BR", "Acquisitive crime lead", (33, 48, 0), (
        "offer crime prevention visits to burglary victims",
        "refresh the street robbery response plan",
        "use electronic tags on prolific offenders",
        "learn from forces with higher solved rates",
        "review crime scene attendance at burglaries",
        "run darker evenings patrols")),
    "serious-organised-crime": ("SO", "Serious organised crime lead", (15, 9, 0), (
        "manage organised crime groups from identification onwards",
        "assign a responsible officer to every group",
        "watch for signs of violence between drug markets",
        "engage partners on modern slavery intelligence")),
}
AT_RISK = ("DF", "Not enough is yet done to enforce ancillary orders, such as Serious Crime Prevention Orders, "
                 "against the people subject to them.",
           "The gap is part of the intelligence review now under way, which will set out who checks each order.")
DELIVERY = {  # demonstration bullets, a pair a strand: achieved, scheduled
    "domestic-abuse": ("Refreshed training for frontline teams on the new definition of domestic abuse.",
                       "Try a new risk assessment for domestic abuse with two teams."),
    "gangs-knife-crime": ("Kept up weekly patrols in the places where street violence concentrates.",
                          "Use data to find groups of young people at risk and offer them support."),
    "night-time-economy": ("Adjusted patrol plans as venues reopened after the restrictions.",
                           "Review each district's night-time plan against the first months of reopening."),
    "child-abuse-exploitation": ("Trained frontline officers to identify risk to children and refer it.",
                                 "Write a guide for officers on investigating offences against children online."),
    "extremism-radicalisation": ("Trained further staff as Prevent champions.",
                                 "Plan a counter-terrorism exercise with partners."),
    "hate-crime": ("Began recording crimes motivated by hostility to sex or gender.",
                   "Bring in a template for hate crime investigations."),
    "digital-crime-fraud": ("Supported specialist teams with digital investigation training.",
                            "Promote the national cyber alarm service to local businesses."),
    "burglary-robbery": ("Produced a problem profile of current burglary trends.",
                         "Start darker evenings patrols in the areas where burglary concentrates."),
    "serious-organised-crime": ("Refreshed the plan for managing organised crime groups.",
                                "Hold a conference with partners on modern slavery intelligence."),
}
COVER = {"Classification": "Official", "Agenda number": "6.0", "Version": "1", "Written": "2021-11-17",
         "Approved": "2021-12-07", "Meeting": "2021-12-30", "Author": "Inspector, on behalf of the chief officer"}


def actions() -> list[dict]:
    rows = []
    for strand, (prefix, owner, counts, themes) in STRANDS.items():
        for number in range(1, sum(counts) + 1):
            theme = themes[(number - 1) % len(themes)]
            area = AREAS[(number - 1) // len(themes) % len(AREAS)]
            rows.append({"id": f"{prefix}-{number:02d}", "strand": strand, "owner": owner,
                         "text": f"Demonstration action: {theme} ({area})."})
    return rows


def returns(rows: list[dict]) -> str:
    lines = [f"Strategy: {STRATEGY}", f"Quarter: {QUARTER}", "Returns: modelled"]
    lines += [f"{key}: {value}" for key, value in COVER.items()]
    for strand, (prefix, _, (complete, ongoing, at_risk), _) in STRANDS.items():
        achieved, scheduled = DELIVERY[strand]
        ids = [r["id"] for r in rows if r["strand"] == strand]
        lines += ["", f"# Strand: {strand}", f"Total: {len(ids)}", "", "## Delivery achieved", f"- {achieved}", "",
                  "## Delivery scheduled", f"- {scheduled}", "", "## Actions"]
        statuses = ["complete"] * complete + ["ongoing"] * ongoing + ["at risk"] * at_risk
        for action, status in zip(ids, statuses):
            lines.append(f"{action}: {status}")
            if status == "at risk" and prefix == AT_RISK[0]:
                lines += [f"  Risk: {AT_RISK[1]}", f"  Mitigation: {AT_RISK[2]}"]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parent.parent / "data")
    args = parser.parse_args()
    rows = actions()
    plan = args.data / "strategies" / f"{STRATEGY}-actions.csv"
    with plan.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "strand", "text", "owner"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    target = args.data / "strategy-returns" / STRATEGY / f"{QUARTER}.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(returns(rows), encoding="utf-8")
    print(f"wrote {len(rows)} actions to {plan} and the {QUARTER} returns to {target}")


if __name__ == "__main__":
    main()
