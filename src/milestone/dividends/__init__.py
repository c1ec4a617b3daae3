"""Dividends of the equity stake: declared in fen, split over the owners' stones in a finalized
epoch's settled state, paid through the fiat rails, and rooted on-chain.

Modules: `declare`, `payouts` (the CSV out and back), `commitments` (the on-chain root and each
holder's proof). Which epochs are final, and their balances, come from `milestone.epochs.status`.
"""
