"""The PostgreSQL gateway: the only package that imports a PostgreSQL driver (pg8000)."""
