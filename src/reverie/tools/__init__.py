"""Tool definition and schema generation."""

from reverie.tools.tool import Tool, ToolReturn, ToolRunContext, as_tool, media, tool

__all__ = ["Tool", "ToolReturn", "ToolRunContext", "as_tool", "media", "tool"]
