"""Scale plot of benchmark results: throughput and latency against parcels, each beside its peer.

    python -m benchmarks plot benchmarks/results/*.json --out benchmarks/results/scale.png

Reads the runner's JSON result files (one a run and size: parcels, events, store, machine, date,
figures) and draws one PNG: throughput on the left, query latency on the right, both against
parcels on log axes; ours solid, the peer dashed in the same colour. Only series found in the
files are drawn; a file from another store (sqlite, postgresql) makes a series of its own.
"""
from __future__ import annotations

import json
import os
import platform
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as Canvas
from matplotlib.lines import Line2D

# (name prefix, unit) of the throughput series, in legend order; a prefix matches the first figure.
THROUGHPUT = (
    ("bulk import", "parcels/s"),
    ("rebuild parcels", "events/s"),
    ("rebuild certificates", "events/s"),
    ("audit verify", "events/s"),
    ("survey command", "commands/s"),
)
LATENCY = ("NIB lookup", "holder lookup", "bbox ~100 m (<= 100 results)", "intersect search")
PERCENTILES = (("p50", "o"), ("p99", "^"))  # marker of each percentile on the latency panel


@dataclass(frozen=True)
class Series:
    """One figure followed across sizes: (parcels, ours, peer) points in order of parcels."""

    label: str
    points: list[tuple[int, float, float]]


def load(results: Iterable[Path]) -> list[dict[str, Any]]:
    """The result files' contents, smallest run first."""
    runs = [json.loads(Path(path).read_text()) for path in results]
    return sorted(runs, key=lambda run: int(run["parcels"]))


def series(runs: list[dict[str, Any]], prefix: str, unit: str) -> list[Series]:
    """The figure named `prefix...` in `unit` across the runs, one series a store (none if absent).

    >>> run = {"parcels": 10, "store": "sqlite", "figures": [
    ...     {"name": "bulk import", "ours": 5.0, "peer": 50.0, "unit": "parcels/s"}]}
    >>> series([run], "bulk import", "parcels/s")
    [Series(label='bulk import', points=[(10, 5.0, 50.0)])]
    """
    stores = sorted({str(run.get("store", "")) for run in runs})
    found = []
    for store in stores:
        points = [point for run in runs if str(run.get("store", "")) == store
                  if (point := _point(run, prefix, unit)) is not None]
        if points:
            found.append(Series(f"{prefix} ({store})" if len(stores) > 1 else prefix, points))
    return found


def _point(run: dict[str, Any], prefix: str, unit: str) -> tuple[int, float, float] | None:
    for figure in run.get("figures", []):
        if str(figure.get("name", "")).startswith(prefix) and figure.get("unit") == unit:
            return int(run["parcels"]), float(figure.get("ours") or 0), float(figure.get("peer") or 0)
    return None


def plot(results: list[Path], out: Path) -> None:
    """Draw the two panels from the result files into the PNG `out`."""
    runs = load(results)
    canvas = Canvas(figsize=(15, 6.5), layout="constrained")
    FigureCanvasAgg(canvas)  # render with Agg whatever backend the process has chosen
    left, right = canvas.subplots(1, 2)
    throughput = [s for prefix, unit in THROUGHPUT for s in series(runs, prefix, unit)]
    latency = [(s, marker) for name in LATENCY for percentile, marker in PERCENTILES
               for s in series(runs, f"{name} {percentile}", "ms")]
    _panel(left, [(s, "o") for s in throughput], "throughput", "per second", "peer")
    _panel(right, latency, "query latency", "ms", "raw SQL")
    canvas.suptitle(f"landreg at scale, {_stores(runs)}; {_machine(runs)}")
    out.parent.mkdir(parents=True, exist_ok=True)
    canvas.savefig(out, dpi=110)


def _panel(axes: Axes, drawn: list[tuple[Series, str]], quantity: str, unit: str, peer_name: str) -> None:
    """Each series ours solid and its peer dashed in one colour, on log axes."""
    colours: dict[str, str] = {}
    for line, marker in drawn:
        family = line.label.replace(" p50", "").replace(" p99", "")  # p50 and p99 share a colour
        colour = colours.setdefault(family, f"C{len(colours) % 10}")
        ours = [(n, value) for n, value, _ in line.points if value > 0]
        peer = [(n, value) for n, _, value in line.points if value > 0]
        if ours:
            axes.plot(*zip(*ours), color=colour, marker=marker, linestyle="-", label=line.label)
        if peer:
            axes.plot(*zip(*peer), color=colour, marker=marker, linestyle="--", alpha=0.7)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("parcels")
    axes.set_ylabel(f"{quantity} ({unit})")
    axes.set_title(f"{quantity}: landreg solid, {peer_name} dashed")
    axes.grid(True, which="both", alpha=0.3)
    if drawn:
        styles = [Line2D([], [], color="black", linestyle="-", label="landreg"),
                  Line2D([], [], color="black", linestyle="--", label=peer_name)]
        axes.legend(handles=[*axes.get_legend_handles_labels()[0], *styles], fontsize=8, loc="best")
    else:
        axes.text(0.5, 0.5, "no such figures in the files", ha="center", va="center", transform=axes.transAxes)


def _stores(runs: list[dict[str, Any]]) -> str:
    return ", ".join(sorted({str(run.get("store", "?")) for run in runs})) or "no runs"


def _machine(runs: list[dict[str, Any]]) -> str:
    """The machine the files name, else this one (cores, architecture)."""
    named = sorted({str(run["machine"]) for run in runs if run.get("machine")})
    return " / ".join(named) if named else f"{os.cpu_count()} cores, {platform.machine()}"
