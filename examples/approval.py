"""A tool that needs approval: the run pauses, its state is saved to a file, a person
decides, and the run resumes from the file.

    python examples/approval.py [provider:model]
"""

import sys
import tempfile
from pathlib import Path

import reverie

# CI runs this program against a scripted model:
# test: script=delete


@reverie.tool(needs_approval=True)
def delete_file(path: str) -> str:
    """Delete a file"""
    return f"deleted {path}"  # a real tool would delete it


def main(model: str) -> None:
    agent = reverie.Agent(model, tools=[delete_file])
    result = agent.run_sync("Delete old.log")
    if result.stop_reason != "approval":
        print(result.text)
        return

    saved = Path(tempfile.mkdtemp()) / "paused.json"
    saved.write_text(reverie.dump_result(result))  # plain JSON: a database row, a queue…
    print(f"paused, saved to {saved}")

    # Later, perhaps in another process: load it, decide, resume.
    paused = reverie.load_result(saved.read_text())
    decisions: dict[reverie.PendingCall, bool | str] = {}
    for call in paused.pending:
        print(f"approve {call.tool_name} {call.input}? yes")
        decisions[call] = True  # False, or a reason, denies it
    resumed = agent.run_sync(messages=paused.messages, approvals=decisions)
    print(resumed.text)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "openai:gpt-4o-mini")
