"""PNG charts with matplotlib: a bar chart of paired ratios per workload, a cost-per-message chart per
scaling workload."""

from __future__ import annotations

import math
from pathlib import Path

from bench.model import Workload
from bench.peers import REFERENCE
from bench.runner import Results, median


def draw(folder: Path, workloads: list[Workload], results: Results) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    charts: dict[str, str] = {}
    for workload in workloads:
        if workload.name not in results:
            continue
        name = f"{workload.name}.png"
        if workload.scaling:
            _scaling(folder / name, workload, results)
        else:
            _ratios(folder / name, workload, results)
        charts[workload.name] = name
    return charts


def _ratios(path: Path, workload: Workload, results: Results) -> None:
    import matplotlib.pyplot as plt

    from bench.report import workload_ratios

    table = workload_ratios(workload, results)
    peers = [peer for peer in results[workload.name] if peer != REFERENCE.name]
    figure, axes = plt.subplots(figsize=(10, 0.9 + 0.45 * max(1, len(workload.figures)) * max(1, len(peers)) / 2))
    height = 0.8 / max(1, len(peers))
    for index, peer in enumerate(peers):
        values = []
        positions = [row + index * height for row in range(len(workload.figures))]
        for item, position in zip(workload.figures, positions, strict=True):
            ratio = median(table[item.key].get(peer, []))
            if math.isinf(ratio):  # the peer scored 0: no bar, a note (the report says why)
                axes.text(1.0, position, f"  {peer} scored 0", va="center", fontsize=7)
            values.append(0.0 if math.isnan(ratio) or math.isinf(ratio) else ratio)
        axes.barh(positions, values, height=height, label=peer)
    axes.set_yticks([row + 0.4 - height / 2 for row in range(len(workload.figures))])
    axes.set_yticklabels([f"{item.title} ({item.unit})" for item in workload.figures], fontsize=8)
    axes.invert_yaxis()
    axes.set_xscale("log")
    axes.axvline(1.0, color="black", linewidth=0.8)
    axes.set_xlabel("elektromail's package against the peer (above 1: elektromail better; log scale)")
    axes.set_title(workload.title)
    if peers:
        axes.legend(fontsize=8, loc="best")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _scaling(path: Path, workload: Workload, results: Results) -> None:
    import matplotlib.pyplot as plt

    series = sorted({figure.key.split("@")[0] for figure in workload.figures})
    figure, all_axes = plt.subplots(1, len(series), figsize=(4.2 * len(series), 3.8), squeeze=False)
    for axes, key in zip(all_axes[0], series, strict=True):
        items = [item for item in workload.figures if item.key.startswith(key + "@")]
        sizes = [int(item.key.split("@")[1]) for item in items]
        for peer, outcome in results[workload.name].items():
            axes.plot(sizes, [median(outcome.values.get(item.key, [])) for item in items], marker="o", label=peer)
        axes.set_xscale("log")
        axes.set_yscale("log")
        axes.set_xlabel("messages in the mailbox")
        axes.set_ylabel("µs per message")
        axes.set_title(items[0].title.split(" on ")[0], fontsize=9)
        axes.legend(fontsize=8)
    figure.suptitle(workload.title)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
