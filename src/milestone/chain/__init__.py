"""The chain: the Program contract, the embedded and remote backends, and the anchoring client.

Settlement opens the data directory's Program with `deployment.open_program` and drives an
epoch through `anchor.Anchor`; `verify.verify_epoch` reads one back; docs/chain.md tells the
whole story.
"""
