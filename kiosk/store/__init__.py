"""The product's database (SQLite by default) with numbered migrations."""

from kiosk.store.accounts import AdminUser, Role
from kiosk.store.store import Store

__all__ = ["AdminUser", "Role", "Store"]
