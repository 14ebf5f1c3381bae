"""The order store on SQLAlchemy: models, engine, migrations and the repository."""
