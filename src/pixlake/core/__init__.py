"""Domain rules, the database and its tables. Nothing here knows about HTTP."""
