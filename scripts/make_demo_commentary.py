"""Write demonstration commentary returns, data/commentary/<quarter>.md, for every quarter of
every plan.

The text is ours: short, generic descriptions of the kinds of activity owning units report
(operations, training, campaigns, partnership work), chosen by keywords in each commitment.
The files say "Returns: modelled" and the book labels them as demonstration text. Statuses move
from quarter to quarter (not started -> on track -> complete, with some at risk), and about one
entry in twenty is missing, so every edition shows a full table with "No update received" rows.
Deterministic: the same plans give the same files.

Usage: python scripts/make_demo_commentary.py [--data DIR]
"""

from __future__ import annotations

import argparse
import random
import zlib
from pathlib import Path

from pcpbook import contracts
from pcpbook.contracts.model import Plan
from pcpbook.core.periods import quarters_between

ACTIVITY = {
    "enforcement": [
        "Ran a week of intelligence-led operations against the people causing most harm; arrests and charges followed.",
        "Executed warrants with neighbouring forces and seized cash, phones and drugs.",
        "Reviewed the highest-harm offenders each fortnight and agreed actions for each.",
        "Used civil orders alongside prosecution to restrict the most persistent offenders.",
    ],
    "training": [
        "Delivered refresher training to frontline officers and staff; feedback was positive.",
        "Added a new module to the induction course and trained the first cohort.",
        "Briefed supervisors on the updated guidance so that teams apply it consistently.",
    ],
    "campaign": [
        "Ran a social media campaign with partners, focused on where to get help.",
        "Produced leaflets and posters in several languages for community venues.",
        "Took part in a national week of action and shared local messages alongside it.",
    ],
    "partnership": [
        "Met partners monthly to share information and agree joint actions.",
        "Agreed a shared action plan with the councils and the voluntary sector.",
        "Joined a multi-agency problem-solving group for the areas of greatest concern.",
        "Reviewed progress with partners and updated the delivery plan.",
    ],
    "young": [
        "Visited schools to deliver sessions on safety and healthy relationships.",
        "Worked with youth services on diversion activities for young people at risk.",
        "Held drop-in sessions with young people to hear their concerns.",
    ],
    "reporting": [
        "Promoted the online and phone routes for reporting, with guidance on what to expect.",
        "Checked a sample of reports to make sure victims were kept informed.",
        "Opened a further community reporting point with a local partner.",
    ],
    "victims": [
        "Referred victims to specialist support services and checked that contact was made.",
        "Sought victims' views on the service and acted on what they said.",
    ],
    "workforce": [
        "Held a recruitment event and moved applicants into training.",
        "Recognised long service and good work at a volunteer awards evening.",
        "Reviewed wellbeing support and made it easier to find.",
    ],
    "technology": [
        "Rolled out an update to the system used by officers on patrol.",
        "Tested new equipment with one team before wider use.",
        "Improved the data shared between agencies, with safeguards agreed.",
    ],
    "roads": [
        "Held days of action on speeding, phone use and seatbelts with road safety partners.",
        "Supported Community Speed Watch groups with equipment and training.",
        "Targeted drink and drug driving with roadside checks.",
    ],
    "rural": [
        "Patrolled rural hotspots with farm and wildlife partners.",
        "Met rural community groups to hear their concerns and report back.",
    ],
}
KEYWORDS = {
    "enforcement": ("target", "offender", "enforcement", "justice", "disrupt", "pursue", "tackle", "gang"),
    "training": ("train", "professionals", "frontline"),
    "campaign": ("campaign", "awareness", "publicity", "promote"),
    "partnership": ("partner", "partnership", "collaborat", "board", "hub", "with councils", "together"),
    "young": ("young", "school", "children", "cadets"),
    "reporting": ("report", "contact", "101", "online"),
    "victims": ("victim", "support", "recover"),
    "workforce": ("officer", "recruit", "special", "volunteer", "staff", "wellbeing"),
    "technology": ("technology", "camera", "anpr", "mobile", "digital", "data", "device"),
    "roads": ("road", "driv", "speed", "ksi"),
    "rural": ("rural", "farm", "hare", "wildlife"),
}
AT_RISK = [
    "**At risk:** staff vacancies in the team have slowed this work; a recovery plan goes to the next board.",
    "**At risk:** partner funding is not yet confirmed for next year, so the timetable may slip.",
    "**At risk:** an IT dependency has been delayed and the go-live date is under review.",
]
COMPLETE = [
    "Delivered. This is now part of business as usual and will be monitored through routine reporting.",
    "Complete: the work set out in the plan has been done; outcomes will be reviewed next year.",
]
NOT_STARTED = ["Scoping has begun; work is planned to start next quarter."]


def themes(text: str) -> list[str]:
    lowered = text.lower()
    found = [theme for theme, words in KEYWORDS.items() if any(w in lowered for w in words)]
    return found or ["partnership"]


def next_status(status: str, progress: float, rng: random.Random) -> str:
    draw = rng.random()
    if status == "not started":
        return "on track" if draw < 0.45 else status
    if status == "on track":
        if draw < 0.02 + 0.06 * progress:
            return "complete"
        return "at risk" if draw > 0.96 else status
    if status == "at risk":
        return "on track" if draw < 0.4 else status
    return status


def entry_text(commitment, status: str, rng: random.Random) -> str:
    if status == "complete":
        return rng.choice(COMPLETE)
    if status == "not started":
        return rng.choice(NOT_STARTED)
    pool = [s for theme in themes(commitment.text) for s in ACTIVITY[theme]]
    chosen = rng.sample(pool, k=min(len(pool), rng.choice((1, 2, 3))))
    if len(chosen) == 3:
        text = chosen[0] + "\n\n" + "\n".join(f"- {s}" for s in chosen[1:])
    else:
        text = " ".join(chosen)
    return (rng.choice(AT_RISK) + "\n\n" + text) if status == "at risk" else text


def write_plan(plan: Plan, folder: Path) -> int:
    quarters = quarters_between(plan.first_quarter, plan.last_quarter)
    commitments = [c for p in plan.priorities for c in p.commitments]
    states = {}
    for c in commitments:
        rng = random.Random(zlib.crc32(f"{plan.id}/{c.id}".encode()))
        states[c.id] = ("on track" if rng.random() < 0.75 else "not started", rng)
    for index, quarter in enumerate(quarters):
        lines = [f"Quarter: {quarter.id}", "Returns: modelled", "",
                 f"# Demonstration returns for {plan.title}, {quarter.label}", "",
                 "Written for pcpbook's example: short descriptions of the kinds of activity units report.",
                 "Not real returns.", ""]
        for priority in plan.priorities:
            lines += [f"# Priority {priority.number}: {priority.title}", ""]
            for c in priority.commitments:
                status, rng = states[c.id]
                if index:
                    status = next_status(status, index / len(quarters), rng)
                    states[c.id] = (status, rng)
                if rng.random() < 0.05:  # this unit's return did not arrive
                    continue
                lines += [f"## {c.id} {c.text}", f"Who: {'; '.join(c.who)}", f"Status: {status}", "",
                          entry_text(c, status, rng), ""]
        (folder / f"{quarter.id}.md").write_text("\n".join(lines), encoding="utf-8")
    return len(quarters)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parent.parent / "data")
    args = parser.parse_args()
    dataset = contracts.load(args.data)
    folder = args.data / "commentary"
    folder.mkdir(exist_ok=True)
    written = sum(write_plan(plan, folder) for plan in dataset.plans.values())
    print(f"wrote demonstration returns for {written} quarters to {folder}")


if __name__ == "__main__":
    main()
