"""政务大厅数智人 — an offline digital-human kiosk for government service halls."""

__version__ = "0.1.0"
