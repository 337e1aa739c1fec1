"""A second model answers when the first is unavailable (overloaded, rate limited, down).

python examples/fallback.py [first-model] [second-model]
"""

import sys

import reverie

# CI runs this program against a scripted model whose first model is overloaded:
# test: script=hello fail=anthropic:claude-sonnet-4-5


def main(first: str, second: str) -> None:
    model = reverie.fallback(first, second)
    result = reverie.Agent(model).run_sync("Say hello in one line.")
    print(result.text)
    print("answered by", result.steps[-1].provider_metadata["fallback"]["model"])


if __name__ == "__main__":
    args = sys.argv[1:] or ["anthropic:claude-sonnet-4-5", "openai:gpt-4o-mini"]
    main(*args)
