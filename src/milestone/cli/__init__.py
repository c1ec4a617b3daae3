"""The `milestone` command line."""
