"""The read side: the published warehouse opened read-only, city cards, the operator's status and
the static cards site. Never writes the warehouse."""
