"""What Sílvia can do in the world: the WhatsApp and Serena MCP servers and the MCP client the nodes use."""
