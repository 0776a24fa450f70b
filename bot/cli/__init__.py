"""The ``aseanbot`` command line (``main``), with its tasks and summary commands."""
