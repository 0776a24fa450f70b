"""Cited summaries across documents (``summarize``, built from ``statements``, ``themes``,
``embeddings``, ``selection``, ``labels`` and ``composition``) and their DOCX/Markdown export
(``report``)."""
