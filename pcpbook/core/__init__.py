"""What every stage shares and nothing of ours is imported by: periods (quarters, financial
years), reading untrusted files, writing safe outputs (names, CSV cells, markup) and the
library's resource folders."""
