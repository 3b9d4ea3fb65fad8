"""Where a stage's time goes, from a py-spy raw (collapsed) profile of `python -m benchmarks hotpaths`:

    py-spy record --subprocesses --format raw -o prof.txt -- python -m benchmarks hotpaths ...
    python -m benchmarks.profile_summary prof.txt      # or prof.txt.gz, as kept in benchmarks/profiles/

For each stage (`_import`, `_rebuild`, `_verify`, `_incremental`), the share of its samples spent
inside each function (inclusive), the top functions first; idle samples (py-spy records only
running threads) are not counted.
"""
from __future__ import annotations

import gzip
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

STAGES = ("_import", "_rebuild", "_verify", "_incremental")
FRAME = re.compile(r"^(?P<name>[^ ]+) \((?P<file>[^:]+):\d+\)$")


def summary(path: Path, top: int = 25) -> str:
    totals: Counter[str] = Counter()
    inside: dict[str, Counter[str]] = defaultdict(Counter)
    raw = gzip.decompress(path.read_bytes()).decode() if path.suffix == ".gz" else path.read_text()
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [FRAME.match(f) for f in stack.split(";")]
        names = [f"{m['name']} ({m['file'].split('/h3/')[-1].split('/h3_after/')[-1]})" for m in frames if m
                 and not m["file"].startswith(("multiprocessing/", "<"))]
        stage = next((s for s in STAGES if any(n.startswith(f"{s} ") for n in names)), None)
        if stage is None:
            continue
        totals[stage] += int(count)
        for name in set(names):
            inside[stage][name] += int(count)
    out = []
    for stage in STAGES:
        if not totals[stage]:
            continue
        out.append(f"## {stage} ({totals[stage]:,} samples)")
        out += [f"{100 * n / totals[stage]:5.1f}%  {name}" for name, n in inside[stage].most_common(top)]
    return "\n".join(out)


if __name__ == "__main__":
    print(summary(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 25))
