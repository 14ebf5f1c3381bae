"""Thin rasa-sdk actions over the core (`bot`)."""
