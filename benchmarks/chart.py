"""The README chart from compare.json: each library's cost as a multiple of the floor.

python chart.py results/compare.json results/compare.png   (run with matplotlib available)
"""

from __future__ import annotations

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

LIBRARIES = ("reverie", "openai", "pydantic-ai", "openai-agents", "litellm", "ai-sdk", "google-adk")
COLOURS = ("#2a9d8f", "#8d99ae", "#e9c46a", "#f4a261", "#e76f51", "#264653", "#a8dadc")


def main(source: str, target: str) -> None:
    with open(source) as f:
        data = json.load(f)
    summary, imports = data["summary"], data.get("imports", {})

    def first(prefix: str) -> str | None:
        return next((name for name in summary if name.startswith(prefix)), None)

    concurrent, streams = first("concurrent/"), first("concurrent_stream/")
    rows: list[tuple[str, dict[str, float]]] = []
    specs = [
        ("tool loop\n(CPU)", "tool_loop/chat", "cpu_ratio"),
        ("stream 1k chunks\n(CPU)", "stream/chat/1000", "cpu_ratio"),
        ("stream 10k chunks\n(CPU)", "stream/chat/10000", "cpu_ratio"),
        ("50-step run\n(CPU)", "steps/chat", "cpu_ratio"),
        ("concurrent tool loops\n(wall)", concurrent, "wall_ratio"),
        (
            f"{streams.rsplit('/', 1)[-1] if streams else ''} concurrent streams\n(wall)",
            streams,
            "wall_ratio",
        ),
        ("Gemini tool loop\n(CPU)", "tool_loop/gemini", "cpu_ratio"),
        ("Gemini stream 1k\n(CPU)", "stream/gemini/1000", "cpu_ratio"),
    ]
    for label, name, field in specs:
        row = summary.get(name or "", {})
        values = {lib: row[lib][field] for lib in LIBRARIES if field in row.get(lib, {})}
        if values:
            rows.append((label, values))
    if imports.get("httpx"):
        floor = imports["httpx"]["import_ms"]
        values = {lib: imports[lib]["agent_ms"] / floor for lib in LIBRARIES if lib in imports}
        rows.append(("import + agent\n+ provider\n(wall, vs import httpx)", values))

    if not rows:
        raise SystemExit("no ratios to chart")
    fig, ax = plt.subplots(figsize=(11, 1.0 + 1.1 * len(rows)), dpi=110)
    height = 0.8 / len(LIBRARIES)
    for i, (lib, colour) in enumerate(zip(LIBRARIES, COLOURS, strict=True)):
        ys = [r - 0.4 + height * (i + 0.5) for r in range(len(rows))]
        xs = [values.get(lib, 0) for _, values in rows]
        bars = ax.barh(ys, xs, height=height, color=colour, label=lib)
        for bar, x in zip(bars, xs, strict=True):
            if x:
                ax.text(x * 1.03, bar.get_y() + height / 2, f"{x:.1f}×", va="center", fontsize=6)
    ax.axvline(1.0, color="black", linewidth=1)
    ax.text(1.0, len(rows) - 0.5, " floor", fontsize=8, va="bottom")
    ax.set_xscale("log")
    ticks = [0.5, 1, 2, 5, 10, 20, 50]
    ax.set_xticks(ticks, [f"{t:g}×" for t in ticks])
    ax.set_yticks(range(len(rows)), [label for label, _ in rows])
    ax.invert_yaxis()
    ax.set_xlabel("times the hand-written httpx floor (log scale; lower is better; no bar: n/a)")
    machine = data["machine"]
    date = data.get("date", "")
    ax.set_title(
        f"reverie vs peers on a loopback fake server ({machine['cores']} cores, Python "
        f"{machine['python']}, load {machine['load_average'][0]:.1f}{', ' + date if date else ''})",
        fontsize=10,
    )
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8)
    fig.tight_layout()
    fig.savefig(target)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
