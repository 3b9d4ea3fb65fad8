"""A run's JSON as a markdown table, for benchmarks/README.md (the numbers are copied, never typed).

    python -m benchmarks report benchmarks/results/national-postgresql-1000000.json
"""
from __future__ import annotations

import json
from pathlib import Path


def markdown(path: Path) -> str:
    run = json.loads(path.read_text())
    rows = ["| figure | landreg | peer | unit | ratio | peer is | target |", "|---|---|---|---|---|---|---|"]
    for f in run["figures"]:
        digits = 3 if f["unit"] == "ms" else 0
        rows.append(f"| {f['name']} | {f['ours']:,.{digits}f} | {f['peer']:,.{digits}f} | {f['unit']} | "
                    f"{f['ratio']:.2f}x | {f['peer_name']} | {f['target']} |")
    return "\n".join(rows) + "\n"


def new_results_file(folder: Path, stem: str) -> Path:
    """A results file that does not exist yet (`stem.json`, else `stem-2.json`, ...): an earlier run is never
    overwritten."""
    out = folder / f"{stem}.json"
    number = 2
    while out.exists():
        out, number = folder / f"{stem}-{number}.json", number + 1
    return out
