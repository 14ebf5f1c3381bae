"""WISMO: a "where is my order" support assistant (the core)."""
