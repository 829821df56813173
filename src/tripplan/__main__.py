"""``python -m tripplan``: the same as the ``tripplan`` command."""

from tripplan._cli import main

raise SystemExit(main())
