"""`python -m pacto` is the `pacto` command."""

from pacto.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
