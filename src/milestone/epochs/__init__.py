"""Epoch settlement: frozen inputs, weights, beacon, drops, postings, trees, the epoch file.

`compute` and `epochfile` are pure (the auditor uses them without a database); `settle` runs
the steps against the database and the chain. This `__init__` imports nothing, so the audit
can use the pure modules without pulling in storage.
"""
