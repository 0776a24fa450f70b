"""The MCP server: the product's search, answers, task table, summaries and documents as Model
Context Protocol tools and resources, so assistants (Claude Desktop, Cursor, any MCP client) get
cited results without a custom integration.

``server`` builds the tools and resources over one Services getter and serves stdio
(``aseanbot mcp``); ``http`` mounts the streamable HTTP transport on the FastAPI app at ``/mcp``
behind the same API keys as ``/v1``.
"""
