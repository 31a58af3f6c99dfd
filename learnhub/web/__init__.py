"""Blueprints by feature. Views validate, call services and commit once."""
