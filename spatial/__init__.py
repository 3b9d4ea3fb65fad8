"""Parcel geometry: the pure half (shapely, pyproj) beside the spatial-index adapters."""
