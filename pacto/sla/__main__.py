"""``python -m pacto.sla sla|calendar|policy …``: the SLA commands without the console script."""

import sys

from pacto.sla.cli import main

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
