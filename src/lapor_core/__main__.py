"""``python -m lapor_core``: the command-line interface."""

from lapor_core.cli import main

raise SystemExit(main())
