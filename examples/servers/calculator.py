"""A small MCP server for examples/mcp_calculator.py, written with the mcp package's server
side. It speaks over stdin and stdout: run it through an MCP client, not by hand."""

from mcp.server import MCPServer

server = MCPServer("calculator")


@server.tool()
def add(a: int, b: int) -> str:
    """Add two numbers"""
    return str(a + b)


@server.tool()
def multiply(a: int, b: int) -> str:
    """Multiply two numbers"""
    return str(a * b)


if __name__ == "__main__":
    server.run()
