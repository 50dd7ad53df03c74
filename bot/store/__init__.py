"""The only package that knows SQL: ORM tables, repositories, the unit of work, migrations."""
