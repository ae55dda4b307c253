"""The command line (``python -m pcpbook``): arguments in, problems out as clear messages."""
