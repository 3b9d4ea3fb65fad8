"""The land office web page: static HTML, CSS and JavaScript served at `/` beside the API.

No build step and no framework: `index.html` at `/`, its scripts and styles under `/web/`.
The page talks to the same service's `/v1` API with the officer's bearer token.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

FOLDER = Path(__file__).parent
# The page loads nothing from elsewhere: scripts, styles, connections and images stay on this origin.
POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


def mount(app: FastAPI) -> None:
    """Serve the page at `/` and its assets at `/web/`; call after the API routers are included.

    Plain Starlette routes, not API operations: the page is public static content, outside the
    OpenAPI schema and the role table; the data it shows still needs the officer's token.
    """
    app.add_route("/", index, methods=["GET", "HEAD"], include_in_schema=False)
    app.add_route("/publik", page("public.html"), methods=["GET", "HEAD"], include_in_schema=False)
    app.add_route("/pengaduan", page("complaints.html"), methods=["GET", "HEAD"], include_in_schema=False)
    app.mount("/web", StaticFiles(directory=FOLDER / "static"), name="web")


def page(name: str) -> Callable[[Request], FileResponse]:
    """A route answering one of the pages of this folder, under the page's content policy."""
    def answer(request: Request) -> FileResponse:
        return FileResponse(FOLDER / name, media_type="text/html; charset=utf-8",
                            headers={"Content-Security-Policy": POLICY, "Cache-Control": "no-cache",
                                     "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"})
    return answer


index = page("index.html")  # the land office page; /publik the public page; /pengaduan the inbox
