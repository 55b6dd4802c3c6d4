"""The console's HTML pages, one module per domain."""
