import os
import sys

from pcpbook.cli.commands import main

try:
    raise SystemExit(main())
except BrokenPipeError:  # the reader stopped reading (`... | head`): as the Python docs advise, quietly
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    raise SystemExit(1)
