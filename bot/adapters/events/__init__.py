"""Rasa's conversation events: their wire format (parse.py) and where they are read (sqlite.py)."""
