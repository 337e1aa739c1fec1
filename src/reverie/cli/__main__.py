"""``python -m reverie.cli``: the same as the ``reverie`` command."""

from reverie.cli import main

raise SystemExit(main())
