"""Public data turned into observation rows (police.uk, STATS19, the Home Office tables, ONS
populations), the list of the 43 forces, downloads, and a new project started from them."""
