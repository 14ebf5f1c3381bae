"""Adapters: the edge where the core meets databases, carriers and messaging."""
