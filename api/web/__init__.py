"""The land office web page: static HTML, CSS and JavaScript served at `/` beside the API.

No build step and no framework: `index.html` at `/`, its scripts and styles under `/web/` (the
map library, OpenLayers, and proj4 are vendored from npm in `static/vendor/`: `make vendor`).
The page talks to the same service's `/v1` and `/ogc` APIs with the officer's bearer token.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from registry.persistence.settings import Settings

FOLDER = Path(__file__).parent
# The page loads nothing from elsewhere: scripts, styles, connections and images stay on this
# origin, but for the images of a configured basemap (LANDREG_BASEMAP_URL).
POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:{images}; "
          "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


def mount(app: FastAPI) -> None:
    """Serve the page at `/`, its assets at `/web/` and its settings at `/web/config.json`; call
    after the API routers are included.

    Plain Starlette routes, not API operations: the page is public static content, outside the
    OpenAPI schema and the role table; the data it shows still needs the officer's token.
    """
    settings: Settings = app.state.services.settings
    policy = content_policy(settings)
    app.add_route("/", page("index.html", policy), methods=["GET", "HEAD"], include_in_schema=False)
    app.add_route("/publik", page("public.html", policy), methods=["GET", "HEAD"], include_in_schema=False)
    app.add_route("/pengaduan", page("complaints.html", policy), methods=["GET", "HEAD"], include_in_schema=False)
    app.add_route("/web/config.json", config(settings), methods=["GET"], include_in_schema=False)
    app.mount("/web", StaticFiles(directory=FOLDER / "static"), name="web")


def content_policy(settings: Settings) -> str:
    """The pages' Content-Security-Policy: this origin, and the basemap's for images."""
    if not settings.basemap_url:
        return POLICY.format(images="")
    parts = urlsplit(settings.basemap_url)
    return POLICY.format(images=f" {parts.scheme}://{parts.netloc}")


def config(settings: Settings) -> Callable[[Request], JSONResponse]:
    """What the page needs from the settings: the optional basemap (no secret is in it)."""
    basemap = None if not settings.basemap_url else {
        "url": settings.basemap_url, "kind": settings.basemap_kind, "layers": settings.basemap_layers,
        "attribution": settings.basemap_attribution}

    def answer(request: Request) -> JSONResponse:
        return JSONResponse({"basemap": basemap}, headers={"Cache-Control": "no-cache"})
    return answer


def page(name: str, policy: str) -> Callable[[Request], FileResponse]:
    """A route answering one of the pages of this folder, under the page's content policy."""
    def answer(request: Request) -> FileResponse:
        return FileResponse(FOLDER / name, media_type="text/html; charset=utf-8",
                            headers={"Content-Security-Policy": policy, "Cache-Control": "no-cache",
                                     "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"})
    return answer
