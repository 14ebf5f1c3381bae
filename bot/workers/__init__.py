"""Background processes of the stack that are neither a web server nor Rasa: the notifier."""
