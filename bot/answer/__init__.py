"""Answering: a question → what is asked (``intent``) → evidence in the retrieved passages
(``evidence``, ``parts``) → a grounded extractive answer with citations (``extractive``,
``citations``), optionally rewritten by an LLM and checked sentence by sentence (``llm``,
``verify``); ``chat`` and ``conversation`` hold the turn and the thread."""
