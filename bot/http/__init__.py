"""The HTTP floor: the FastAPI app (``app``), pages, widget and feedback (``pages``), uploads,
rate limits, dependencies, request/response schemas, and the tasks and summary routes."""
