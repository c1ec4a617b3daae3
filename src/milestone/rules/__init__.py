"""The protocol rules of Milestone, as pure functions over explicit values.

This package is the specification: integer arithmetic only, no I/O, and no imports from the rest
of `milestone` (a test checks both). Everything else builds on it; nothing here builds on them.
"""
