"""The service's log lines: JSON objects, one a line (LANDREG_LOG_FORMAT=json), or plain text; and
the access log's rule that a holder search never writes the holder it looked for."""
from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

import orjson

ACCESS = logging.getLogger("landreg.access")
# Query parameters whose values are personal data (a holder's id or name): logged as ***.
MASKED_QUERY = frozenset({"holder", "holder_name"})
# Attributes every log record has; anything else on a record is a field its caller added.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}
_LEFT_OUT = _STANDARD | {"color_message"}  # uvicorn's copy of the message with terminal colours


class JsonFormatter(logging.Formatter):
    """A record as one JSON object: time, level, logger, message, process id and the fields given as `extra`."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage(),
            "pid": record.process,  # which worker process of `landreg serve --workers N` wrote it
        }
        line.update({k: v for k, v in vars(record).items() if k not in _LEFT_OUT and not k.startswith("_")})
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


def config(format: str, level: str = "INFO") -> dict[str, Any]:
    """The logging configuration of a `landreg serve` process (uvicorn's `log_config`): its own
    loggers and uvicorn's to stderr, in `format` ('json' or 'text'); uvicorn's access log is off,
    the service writes its own (with the request id and the actor)."""
    formatter = {"()": f"{__name__}.JsonFormatter"} if format == "json" else \
        {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    handler = {"class": "logging.StreamHandler", "formatter": "main", "stream": "ext://sys.stderr"}
    loggers = {name: {"handlers": ["main"], "level": level, "propagate": False}
               for name in ("landreg", "api", "registry", "projections", "uvicorn", "uvicorn.error")}
    return {"version": 1, "disable_existing_loggers": False, "formatters": {"main": formatter},
            "handlers": {"main": handler}, "loggers": loggers}


def target(path: str, query: bytes) -> str:
    """The request target as logged: the path and query, holder-search values masked."""
    if not query:
        return path
    pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
    shown = [(name, "***" if name in MASKED_QUERY else value) for name, value in pairs]
    return f"{path}?{urlencode(shown, safe='*')}"
