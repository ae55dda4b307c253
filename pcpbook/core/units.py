"""Units a measure is compared across forces in: how many of the base its value is per, and how
the unit reads. The catalogue's contract, the statistics and the pages all take them from here."""

COMPARISON_UNITS = {
    "per_1000_population": (1_000, "per 1,000 population"),
    "per_1000_households": (1_000, "per 1,000 households"),
    "per_100m_vehicle_km": (100_000_000, "per 100 million vehicle km"),
    "percent": (100, "%"),
}
