"""The account's limits, shared: one rate limit for every process on a key, a daily budget.

LeadSquared limits calls per account, not per process (``shared/API.md`` section 5):
25 calls in any 5 s on the top plan, and a cap a day. Several notebooks, a scheduled
job and a colleague's script on one key must share that limit, or each believes it
owns the whole window and the service answers 429s.

- :mod:`leadsq.client.limits.stores`: where a key's window, day counts and cooldown live
  (``rate_limit_store``: a file per key in the user's cache directory by default,
  Redis, or this process's memory), under a fingerprint of the key, never the key.
- :mod:`leadsq.client.limits.shared`: :class:`SharedLimit`, the wait every call goes through:
  the window, the day's budget (``daily_budget``) and the slow-down after a
  rate-limit answer.
- :mod:`leadsq.client.limits.usage`: :func:`usage`, calls in the window and today per key.
"""

from __future__ import annotations
