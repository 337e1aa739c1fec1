"""How long ``import reverie`` takes, and what it pulls in.

python benchmarks/import_time.py [runs]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time


def wall(code: str, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    bare = wall("pass", runs)
    plain = wall("import reverie", runs)
    agent = wall("import reverie; reverie.Agent", runs)
    provider = wall("import reverie.providers.openai", runs)
    print(f"interpreter start             {bare * 1000:7.1f} ms (median of {runs})")
    print(f"import reverie                +{(plain - bare) * 1000:6.1f} ms")
    print(f"  … and touch reverie.Agent   +{(agent - bare) * 1000:6.1f} ms")
    print(f"import the OpenAI provider    +{(provider - bare) * 1000:6.1f} ms (httpx2, pydantic)")
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import reverie"],
        capture_output=True,
        text=True,
        check=True,
    )
    modules = [line.rsplit("|", 1)[-1].strip() for line in out.stderr.splitlines()[1:]]
    print("modules imported by `import reverie`:", ", ".join(m for m in modules if m))


if __name__ == "__main__":
    main()
