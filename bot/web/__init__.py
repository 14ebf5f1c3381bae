"""The web process: the widget and the demo store today; the consoles and webhooks later.

`create_app(settings)` (bot/web/app.py) builds the one Flask app, one blueprint
per page family; `wismo web` serves it with waitress on `WEB_PORT` (8000).
"""
