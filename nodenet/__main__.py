"""``python -m nodenet``: the same as the ``nodenet`` command."""

from .cli import main

raise SystemExit(main())
