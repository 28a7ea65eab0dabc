"""The vocabulary every package shares: typed models and events, errors, config, engine protocols."""
