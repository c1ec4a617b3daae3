"""Milestone: a Customer Share Option Plan whose token is mined by driving and verified on-chain."""

__version__ = "0.1.0"
