"""The people who run the product: admin accounts and sessions, document operations, the
review of logged questions. The HTTP side is bot/http/admin.py; the CLI side bot/cli/admin.py."""
