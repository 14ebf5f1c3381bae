"""Custom Rasa input channels; they run inside the Rasa server (Python 3.10).

Import only Rasa and the standard library here: the rest of `bot` is not
installed in the Rasa environment.
"""
