"""The staff and admin web panel (panel.app: mounted in a kiosk, or its own process) and its store (panel.store)."""
