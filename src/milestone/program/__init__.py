"""The program: the one row recording which parameters run it and when its genesis was.

`milestone.program.service` creates and loads it. This package's `__init__` imports nothing,
because the ledger reads `program.models` while `program.service` posts to the ledger.
"""
