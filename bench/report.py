"""The report folder: report.md (medians, spreads, paired ratios), results.json (every raw figure, the
machine, versions) and the charts."""

from __future__ import annotations

import json
import math
from pathlib import Path

from bench.model import Peer, Settings, Workload
from bench.peers import REFERENCE
from bench.runner import Results, median, paired_ratios


def _number(value: float) -> str:
    if math.isnan(value):
        return "–"
    if math.isinf(value):
        return "∞"
    if value >= 1000:
        return f"{value:,.0f}".replace(",", " ")
    if value >= 10:
        return f"{value:.0f}"
    return f"{value:.3g}"


def ratio_cell(ratios: list[float]) -> str:
    if not ratios:
        return "–"
    spread = f" ({_number(min(ratios))}–{_number(max(ratios))})" if len(ratios) > 1 else ""
    return f"**{_number(median(ratios))}**{spread}"


def workload_ratios(workload: Workload, results: Results) -> dict[str, dict[str, list[float]]]:
    """figure -> peer -> paired ratios against elektromail's package."""
    outcomes = results[workload.name]
    ours = outcomes.get(REFERENCE.name)
    table: dict[str, dict[str, list[float]]] = {}
    for figure in workload.figures:
        table[figure.key] = {}
        if ours is None or figure.key not in ours.values:
            continue
        for peer, outcome in outcomes.items():
            if peer != REFERENCE.name and figure.key in outcome.values:
                ratios = paired_ratios(ours.values[figure.key], outcome.values[figure.key], figure.higher_is_better)
                table[figure.key][peer] = ratios
    return table


def markdown(
    workloads: list[Workload],
    results: Results,
    settings: Settings,
    meta: dict[str, object],
    skipped: dict[str, str],
    charts: dict[str, str],
) -> str:
    lines = [f"# elektromail benchmarks, {meta['date']}", ""]
    machine = meta["machine"]
    assert isinstance(machine, dict)
    lines += [
        f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_mib']} MiB, {machine['system']}, "
        f"Linux {machine['kernel']}, {machine['python']}; load average at the start {machine['load']}.",
        "",
        f"{'Quick run' if settings.quick else 'Full run'}: {settings.rounds} rounds, the servers in a rotating "
        "order each round. Figures are medians over the rounds, with the spread (lowest–highest) in brackets. "
        "A ratio is elektromail's package against the peer in the same round, then the median of those "
        "paired ratios: above 1 elektromail did better (faster, or less memory or time).",
        "",
    ]
    versions = meta["versions"]
    assert isinstance(versions, dict)
    lines += ["| server | version | what it is |", "|---|---|---|"]
    for peer in meta["peers"]:  # type: ignore[attr-defined]
        lines.append(f"| {peer['name']} | {versions.get(peer['name'], '')} | {peer['description']} |")
    if skipped:
        lines += ["", "Skipped (not installed):", ""]
        lines += [f"- {name}: {how}" for name, how in skipped.items()]
    for workload in workloads:
        outcomes = results.get(workload.name)
        if not outcomes:
            continue
        lines += ["", f"## {workload.title}", ""]
        peers = list(outcomes)
        lines.append("| figure | unit | " + " | ".join(peers) + " |")
        lines.append("|---|---|" + "---:|" * len(peers))
        ratios = workload_ratios(workload, results)
        for figure in workload.figures:
            cells = []
            for peer in peers:
                values = outcomes[peer].values.get(figure.key, [])
                spread = f" ({_number(min(values))}–{_number(max(values))})" if len(values) > 1 else ""
                cells.append(f"{_number(median(values))}{spread}" if values else "–")
            lines.append(f"| {figure.title} | {figure.unit} | " + " | ".join(cells) + " |")
        ratio_peers = [peer for peer in peers if peer != REFERENCE.name]
        if ratio_peers and any(ratios.values()):
            lines += ["", "Ratios (elektromail's package against each):", ""]
            lines.append("| figure | " + " | ".join(ratio_peers) + " |")
            lines.append("|---|" + "---:|" * len(ratio_peers))
            for figure in workload.figures:
                row = [ratio_cell(ratios[figure.key].get(peer, [])) for peer in ratio_peers]
                lines.append(f"| {figure.title} | " + " | ".join(row) + " |")
        failures = [(peer, text) for peer, outcome in outcomes.items() for text in outcome.failures]
        if failures:
            lines += ["", "Scored 0:", ""]
            lines += [f"- {peer}, {text}" for peer, text in failures]
        if workload.name in charts:
            lines += ["", f"![{workload.title}]({charts[workload.name]})"]
    return "\n".join(lines) + "\n"


def raw(results: Results) -> dict[str, object]:
    return {
        workload: {
            peer: {"values": outcome.values, "failures": outcome.failures, "seconds": round(outcome.seconds, 2)}
            for peer, outcome in outcomes.items()
        }
        for workload, outcomes in results.items()
    }


def write(
    folder: Path,
    workloads: list[Workload],
    results: Results,
    settings: Settings,
    meta: dict[str, object],
    skipped: dict[str, str],
) -> Path:
    from bench.charts import draw

    folder.mkdir(parents=True, exist_ok=True)
    charts = draw(folder, workloads, results)
    document = {**meta, "settings": settings.__dict__, "skipped": skipped, "results": raw(results)}
    (folder / "results.json").write_text(json.dumps(document, indent=1, default=str) + "\n")
    (folder / "report.md").write_text(markdown(workloads, results, settings, meta, skipped, charts))
    return folder / "report.md"


def peer_rows(peers: list[Peer]) -> list[dict[str, str]]:
    return [{"name": peer.name, "description": peer.description} for peer in peers]
