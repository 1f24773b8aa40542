"""Package marker: this folder ships inside the wheel as ``flightmap._data``.

Nothing here is code; see ``README.md`` in this folder for the case-file format.
"""
