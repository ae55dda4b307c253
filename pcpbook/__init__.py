"""pcpbook: a reproducible Police and Crime Plan performance book.

Stages, imported one way only: periods -> data -> commentary, stats -> narrative -> figures
-> chapter, book -> edition -> cli.
"""

__version__ = "0.1.0"
