"""The product's database (SQLite by default) with numbered migrations."""

from panel.store.accounts import AdminUser, LoginOutcome, Role
from panel.store.store import Store

__all__ = ["AdminUser", "LoginOutcome", "Role", "Store"]
