"""Named editors: ``accounts`` (who may change the plan, their salted password hashes, signing in),
``access`` (slowing down wrong passwords per account and per client), ``audit`` (the append-only
log of every sign-in and change), ``postgres`` (both kept in PostgreSQL), ``backends`` (the editors
and the audit log of a given store)."""
