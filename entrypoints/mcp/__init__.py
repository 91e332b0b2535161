"""The hosted MCP endpoint: the official MCP SDK serving every endpoint from one process."""
