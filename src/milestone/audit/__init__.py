"""`milestone audit`: recompute every epoch from its published file and check it against the
chain, with no database."""
