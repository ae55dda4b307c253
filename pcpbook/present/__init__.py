"""What a reader sees: wording, narrative sentences, figures, tables, and the page objects the
templates call (chapters, What changed, How we compare, the closure review, scrutiny papers)."""
