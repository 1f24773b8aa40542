"""``python -m flightmap``: the same as the ``flightmap`` command."""

from flightmap.cli import main

main()
