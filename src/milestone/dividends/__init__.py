"""Dividends of the equity stake: declared in fen, split over the owners' stones at a finalized
epoch, paid through the fiat rails, and rooted on-chain.

Modules: `finality` (which epochs are final), `declare`, `payouts` (the CSV out and back),
`commitments` (the on-chain root and each holder's proof).
"""
