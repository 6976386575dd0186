"""``python -m translator.calibrate``: the command line (``command.main``)."""

from .command import main

if __name__ == "__main__":
    raise SystemExit(main())
