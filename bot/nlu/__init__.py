"""Custom Rasa NLU components; they run inside Rasa (Python 3.10).

Import only Rasa and the standard library here: the rest of `bot` is not
installed in the Rasa environment. config.yml names them by module path.
"""
