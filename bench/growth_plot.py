"""Draws bench/growth.sh's figures: wall time and peak memory against size, log-log, one
line per task and tool, for convert and for load.

    python3 bench/growth_plot.py growth.tsv assets/growth.png

A straight line of slope 1 is linear growth; a flat memory line is streaming.
"""

import csv
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(tsv: str, png: str) -> None:
    series = defaultdict(list)
    with open(tsv, newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["wall_s"] in ("", "FAILED"):
                continue
            key = (row["task"], row["tool"])
            series[key].append((int(row["statements"]), float(row["wall_s"]), float(row["peak_mib"])))

    panels = [("convert", lambda task: "load" not in task), ("load", lambda task: "load" in task)]
    fig, axes = plt.subplots(2, 2, figsize=(12, 9))
    for column, (title, wanted) in enumerate(panels):
        wall_ax, rss_ax = axes[0][column], axes[1][column]
        for (task, tool), points in sorted(series.items()):
            if not wanted(task):
                continue
            points.sort()
            sizes = [p[0] for p in points]
            style = "-" if tool == "saidgraph" else "--"
            label = f"{tool}: {task}"
            wall_ax.plot(sizes, [p[1] for p in points], style, marker="o", label=label)
            rss_ax.plot(sizes, [p[2] for p in points], style, marker="o", label=label)
        wall_ax.set_title(f"{title}: wall time")
        wall_ax.set_ylabel("seconds")
        rss_ax.set_title(f"{title}: peak memory")
        rss_ax.set_ylabel("peak RSS, MiB")
        for ax in (wall_ax, rss_ax):
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel("statements")
            ax.grid(True, which="both", alpha=0.3)
            ax.legend(fontsize=7)
    fig.suptitle("saidgraph beside its peers, 2 cores (bench/growth.sh)")
    fig.tight_layout()
    fig.savefig(png, dpi=100)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
