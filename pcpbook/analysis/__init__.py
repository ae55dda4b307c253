"""What an edition computes once from a dataset, with the statistics: the families of
comparisons and trend tests, the group comparisons, the target assessments, benchmark tables."""
