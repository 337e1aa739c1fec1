"""The bundled SmolLM2's decision whether a message needs a tool (``tool_choice="auto"``):
accuracy on the public prompt set of tests/providers/test_local_tool_choice.py, and the
time per decision.

python benchmarks/local_tool_choice.py [threads]

Times are the median over the set's 48 messages of the decision alone (the model loaded, the
tool lines evaluated once per tool set, as in an agent run): wall time, and the process's CPU
time. The machine's load average is printed alongside: on a shared machine llama.cpp's
threads wait for cores, so wall times are then pessimistic. ``threads`` defaults to the cores
the load leaves free, as the provider chooses.
"""

from __future__ import annotations

import importlib.util
import os
import statistics
import sys
import time
from pathlib import Path
from types import ModuleType

SET_FILE = Path(__file__).resolve().parent.parent / "tests/providers/test_local_tool_choice.py"


def prompt_set() -> ModuleType:
    spec = importlib.util.spec_from_file_location("local_tool_choice_set", SET_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    from reverie.providers.local import Local
    from reverie.providers.local.decide import Decider

    threads = int(sys.argv[1]) if len(sys.argv) > 1 else None
    data = prompt_set()
    model = Local(n_threads=threads, prompt_cache=False).model("smollm2")
    llama = model._load()
    decider = Decider(llama)
    load = os.getloadavg()
    print(f"threads {llama.context_params.n_threads}, load average before {load[0]:.2f}")
    walls: list[float] = []
    cpus: list[float] = []
    firsts: list[float] = []
    right_total = 0
    for name, (tools, need, no_need) in data.SETS.items():
        # The first decision with a tool set also evaluates its lines (once per process).
        wall = time.perf_counter()
        decider.decide(tools, "What's the weather in Florence?")
        firsts.append(time.perf_counter() - wall)
        right = 0
        wrong = []
        for message in (*need, *no_need):
            wall, cpu = time.perf_counter(), time.process_time()
            decision = decider.decide(tools, message)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
            assert decision is not None
            if decision.call == (message in need):
                right += 1
            else:
                wrong.append(f"{message!r} ({decision.margin:+.2f})")
        right_total += right
        total = len(need) + len(no_need)
        print(f"{name}: {right}/{total} right ({len(tools)} tools)")
        for item in wrong:
            print(f"  wrong: {item}")
    print(f"all: {right_total}/{len(walls)} right")
    print(
        f"time per decision: median {statistics.median(walls) * 1000:.0f} ms wall, "
        f"{statistics.median(cpus) * 1000:.0f} ms CPU; "
        f"max {max(walls) * 1000:.0f} ms wall"
    )
    print(
        "first decision of a process (evaluates the tool lines): "
        + ", ".join(f"{t * 1000:.0f} ms" for t in firsts)
        + " wall"
    )
    print(f"load average after {os.getloadavg()[0]:.2f}")
    model.close()


if __name__ == "__main__":
    main()
