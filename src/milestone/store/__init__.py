"""The store: merchants and their catalogue, orders, the spend lock, transfers between owners.

Modules: `merchants` (and catalogue), `orders`, `spending` (the spend lock), `transfers`.
"""
