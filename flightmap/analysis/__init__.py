"""Analysis of flight tracks: gaps, GNSS integrity, where-could-it-have-been regions, events.

Pure functions over canonical track frames (:mod:`flightmap.schema`): they return new
DataFrames and shapely geometries (``(lon, lat)`` order) and never read or write files.
"""
