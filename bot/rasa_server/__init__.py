"""The Rasa server as the Procfile starts it: the launcher, its patches, the tracker store.

Not a channel: `launch` is the entry point (`python -m bot.rasa_server.launch
run ...`), `patches` the shortcuts it puts into Rasa before it starts, and
`tracker_store` the bounded in-memory store endpoints.yml names. They run
inside the Rasa server (Python 3.10): import only Rasa, the standard library,
what .venv-rasa pins and the other Rasa-side packages (bot.channels, bot.nlu).
"""
