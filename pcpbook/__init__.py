"""pcpbook: a reproducible Police and Crime Plan performance book.

Stages, imported one way only: periods -> data -> stats -> narrative -> figures -> chapter
-> edition -> cli.
"""

__version__ = "0.1.0"
