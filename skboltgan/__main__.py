"""``python -m skboltgan``: the same command line as the ``skboltgan`` console script."""

from .cli import main

raise SystemExit(main())
