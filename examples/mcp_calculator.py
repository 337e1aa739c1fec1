"""The tools of an MCP server, over stdio. Needs the mcp extra: pip install -e '.[mcp]'.

python examples/mcp_calculator.py [provider:model]
"""

import asyncio
import sys
from pathlib import Path

import reverie
import reverie.mcp

# CI runs this program against a scripted model:
# test: script=add

SERVER = Path(__file__).parent / "servers" / "calculator.py"


async def main(model: str) -> None:
    async with reverie.mcp.stdio(sys.executable, [str(SERVER)]) as tools:
        print("server tools:", [tool.name for tool in tools])
        agent = reverie.Agent(model, tools=tools, prepare_step=tools.prepare_step)
        result = await agent.run("What is 2 + 3?")
        print(result.text)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "openai:gpt-4o-mini"))
