"""Activities: earning stones without driving, paid from the released activity budget.

Modules: `budget` (releases and payments), `standing` (certified, revoked), `checkin`,
`sales` (sales systems), `referrals`, `campaigns`.
"""
