"""Where the tests find the local PostgreSQL server (trust auth on the loopback)."""

PG_SERVER = "postgresql+psycopg2://postgres@127.0.0.1:5432"
