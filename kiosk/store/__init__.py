"""The product's database (SQLite by default) with numbered migrations."""

from kiosk.store.accounts import AdminUser, LoginOutcome, Role
from kiosk.store.store import Store

__all__ = ["AdminUser", "LoginOutcome", "Role", "Store"]
