"""Tool definition and schema generation."""

from reverie.tools.tool import Tool, ToolContext, ToolReturn, as_tool, media, tool

__all__ = ["Tool", "ToolContext", "ToolReturn", "as_tool", "media", "tool"]
