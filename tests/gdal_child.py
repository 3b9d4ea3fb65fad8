"""GDAL's OAPIF driver (through pyogrio) reading the served API, run in a child process: pyogrio
holds the interpreter lock while GDAL waits for the answer, so a server in the same process would
never get to answer."""
from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any


def read_parcels(url: str, token: str, **options: Any) -> dict[str, Any]:
    """The layer `parcels` as GDAL reads it: its info, and each feature's fields and geometry (WKB)."""
    import pyogrio
    import pyogrio.raw

    # GDAL's OAPIF driver sends its own Accept header, which displaces GDAL_HTTP_HEADERS; the
    # bearer options (GDAL >= 3.9) add the Authorization header to every request.
    pyogrio.set_gdal_config_options({"GDAL_HTTP_AUTH": "BEARER", "GDAL_HTTP_BEARER": token})
    source = f"OAPIF:{url}/ogc"
    info = pyogrio.read_info(source, layer="parcels")
    meta, _, geometries, columns = pyogrio.raw.read(source, layer="parcels", **options)
    rows = [dict(zip(meta["fields"], values, strict=True)) for values in zip(*columns, strict=True)]
    return {"layers": [str(name) for name, _ in pyogrio.list_layers(source)], "crs": info["crs"],
            "geometry_type": info["geometry_type"], "rows": rows, "wkb": [bytes(g) for g in geometries]}


def in_child(url: str, token: str, **options: Any) -> dict[str, Any]:
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(read_parcels, url, token, **options).result(timeout=120)
