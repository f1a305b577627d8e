"""Constants shared by the MCP tests."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from mcp.server import MCPServer

from tools.client import McpConnection

PHONE = "+5581999990000"
WHATSAPP_TOOLS = {
    "sendTextMessage",
    "sendInteractiveButtons",
    "sendInteractiveList",
    "sendTemplateMessage",
    "downloadMedia",
    "markAsRead",
}
TEMPLATE_ARGS = ["to", "template", "language", "parameters"]
PDF = b"%PDF-1.4\nconta de luz de teste\n%%EOF\n"
Connect = Callable[[MCPServer], AbstractAsyncContextManager[McpConnection]]
