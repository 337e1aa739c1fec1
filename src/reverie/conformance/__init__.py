"""The conformance runner: replays recorded provider conversations through the public API.

Run it as ``python -m reverie.conformance GROUP.toml [...] --cassettes DIR``.
"""
