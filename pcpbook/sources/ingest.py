"""Adapters from public sources to observation rows (DESIGN §2, stage 3).

- police.uk archive street files: monthly counts per force and crime type;
- DfT road safety data (STATS19): monthly casualties by severity for a force;
- Home Office police recorded crime tables: quarterly offences by subgroup, and rolling
  12-month totals by force area;
- Home Office police workforce tables: officers, staff, PCSOs and special constables at 31 March.

Files are read by DuckDB (CSV) and python-calamine (.ods, .xlsx), both made for volume: a
national police.uk month of about 500,000 rows is counted in about a second. Every input is
checked first: a wrong file, a missing column, an unparseable month or date, an unknown
category or code stops the ingest with the file, line and field named. Nothing unknown is
dropped or counted as zero silently.

Output rows follow the observations contract: ``measure, geography, period_start, period,
value, source, status`` with ``status=published``.
"""

from pcpbook.sources.extracts import Ingested, IngestError, merge_into, write_observations
from pcpbook.sources.home_office import HOME_OFFICE_SUBGROUPS, home_office
from pcpbook.sources.ons import ons_population
from pcpbook.sources.police_uk import POLICE_UK_CATEGORIES, police_uk
from pcpbook.sources.stats19 import STATS19_FORCES, stats19
from pcpbook.sources.workforce import workforce

__all__ = ["HOME_OFFICE_SUBGROUPS", "POLICE_UK_CATEGORIES", "STATS19_FORCES", "IngestError", "Ingested",
           "home_office", "merge_into", "ons_population", "police_uk", "stats19", "workforce",
           "write_observations"]
