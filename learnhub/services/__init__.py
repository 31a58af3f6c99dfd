"""Business rules. Services take plain arguments, flush but never commit; the caller commits once."""
