"""``python -m directory ...`` is the ``directory`` command."""

from .cli import main

main()
