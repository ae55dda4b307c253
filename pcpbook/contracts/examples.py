"""One worked example of every data file, together a small valid data folder: the format
reference shows each under its table (a new project's FORMATS.md), and a test loads them as a
project would, so an example cannot drift from what is accepted.

The example force (Borsetshire, with Barsetshire as its similar force) is invented, so that no real
force's facts appear in another force's project. Its data are its own crime system's extract of
domestic burglary, reported by a plan with one priority and one commitment with a target; the
figures are invented and labelled so (status ``modelled``)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Example:
    title: str   # the file kind, as the format reference heads it
    path: str    # where it goes in a data folder
    text: str


EXAMPLES = (
    Example("data/force.yaml", "force.yaml", """\
name: Borsetshire Constabulary
short_name: Borsetshire
police_uk: Borsetshire Constabulary
home_office: Borsetshire
stats19: 99
"""),
    Example("data/sources.yaml", "sources.yaml", """\
# Documents that figures and plans cite: key: full citation.
pcp-2024: "Office of the Police and Crime Commissioner, Police and Crime Plan 2024-2028 (published May 2024)"
"""),
    Example("data/measures.yaml (a list of entries)", "measures.yaml", """\
- id: domestic_burglary_own
  label: Domestic burglary (crime system)
  kind: count
  polarity: down_is_good
  unit: burglaries
  unit_one: burglary
  noun: domestic burglaries
  noun_one: domestic burglary
  verb: recorded
  source: the force's crime recording system (monthly extract)
  definition: Burglaries of homes recorded in the month, as the force's crime system counts them.
  discontinuities:
    - {date: 2023-05-01, recording: true, note: "Counting-rule change", source: "Home Office Counting Rules, May 2023"}
"""),
    Example("data/plans/<id>.yaml", "plans/2024-2028.yaml", """\
id: 2024-2028
title: Police and Crime Plan 2024-2028
first_quarter: 2024-25-Q1
last_quarter: 2027-28-Q4
source: pcp-2024
priorities:
  - number: 1
    title: Safer homes
    objective: Fewer homes broken into, and more burglars caught.
    source: pcp-2024 section 3
    measures: [domestic_burglary_own]
    commitments:
      - id: "1.1"
        text: Cut domestic burglary by a tenth over the plan.
        who: [Local Policing]
        target: {measure: domestic_burglary_own, percent: -10, baseline: 2023/24, by: 2028-03-31,
                 source: pcp-2024 section 3}
"""),
    Example("data/observations.csv (and data/extracts/*.csv)", "observations.csv", """\
measure,geography,period_start,period,value,source,status
domestic_burglary_own,Borsetshire,2024-04-01,month,412,example extract (invented figures),modelled
domestic_burglary_own,Borsetshire,2024-05-01,month,398,example extract (invented figures),modelled
domestic_burglary_own,Borsetshire,2024-06-01,month,377,example extract (invented figures),modelled
"""),
    Example("data/published_figures.csv", "published_figures.csv", """\
measure,geography,period_start,period,value,document,reference,note
domestic_burglary_own,Borsetshire,2023-04-01,fy,5120,pcp-2024,section 3 (baseline),
"""),
    Example("data/areas.yaml", "areas.yaml", """\
# The districts of the force area (ONS codes and names) and the local policing areas they form.
grouping: local policing area
source: example (invented districts)
small_numbers: 5
districts:
  - {code: E07000901, name: Felpersham, group: North}
  - {code: E07000902, name: Loxley Barrett, group: North}
  - {code: E07000903, name: Borchester, group: South}
"""),
    Example("data/population.csv", "population.csv", """\
geography,year,population,source,status
Borsetshire,2024,1900000,example (an invented round figure),modelled
E07000901,2024,800000,example (an invented round figure),modelled
"""),
    Example("data/peer_group.csv", "peer_group.csv", """\
force,source
Borsetshire,the book's own force
Barsetshire,example grouping (use the Home Office's most similar group)
"""),
    Example("data/finance.csv", "finance.csv", """\
year,item,value,unit,document,reference,note
2024/25,funding,400.0,£m,pcp-2024,section 5,example figure
"""),
    Example("data/strategies/<id>.yaml", "strategies/burglary-2024-2026.yaml", """\
id: burglary-2024-2026
title: Burglary Reduction Strategy 2024-2026
first_quarter: 2024-25-Q1
last_quarter: 2025-26-Q4
source: pcp-2024 section 3
report_from: Borsetshire Constabulary
chief_officer: Assistant Chief Constable
strands:
  - id: target-hardening
    name: Target hardening
    lead: Crime prevention manager
    aim: Fit better locks and lighting where burglars strike most.
    priorities: ["2024-2028:1"]
    insights: [domestic_burglary_own]
"""),
    Example("data/strategies/<id>-actions.csv", "strategies/burglary-2024-2026-actions.csv", """\
id,strand,text,owner
TH-01,target-hardening,Offer lock upgrades to every home burgled twice in a year.,Crime prevention manager
"""),
)



def example_files() -> dict[str, str]:
    """The examples as the files of a data folder: path within it -> text."""
    return {example.path: example.text for example in EXAMPLES}
