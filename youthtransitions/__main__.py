"""``python -m youthtransitions`` is the ``yt`` command."""

from youthtransitions.cli import main

raise SystemExit(main())
