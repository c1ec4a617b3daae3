"""Owners' consent to use their vehicles' data: grants, revocations, receipts, deletions."""
