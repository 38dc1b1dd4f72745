"""Writing many rows in one statement, for the worker's sweeps and the outbox.

A sweep may meet a thousand due tickets at once. Django's ``bulk_create`` and
``bulk_update`` send one placeholder per value (``bulk_update`` also one CASE per field per
row), and psycopg's parsing of a query with tens of thousands of placeholders costs more
than the write itself. On PostgreSQL these helpers send one array per column instead::

    INSERT INTO t (a, b) SELECT * FROM unnest(%s::int[], %s::jsonb[]) ON CONFLICT DO NOTHING
    UPDATE t SET a = v.a FROM unnest(%s::bigint[], %s::int[]) AS v(id, a) WHERE t.id = v.id

Elsewhere (SQLite) they fall back to Django's own bulk methods.
"""

from __future__ import annotations

from django.db import connection


def _array_type(field) -> str:
    return f"{field.db_type(connection)}[]"


def _preparer(field):
    """How a value of ``field`` goes to psycopg: as it is, except JSON (wrapped as jsonb)
    and floats (an ``int`` among them would make psycopg refuse the array as mixed).
    Django's per-value preparation is what these helpers exist to avoid."""
    kind = field.get_internal_type()
    if kind == "JSONField":
        return lambda value: field.get_db_prep_save(value, connection)
    if kind == "FloatField":
        return lambda value: None if value is None else float(value)
    return lambda value: value


def _execute(sql: str, params: list) -> None:
    import psycopg

    connection.ensure_connection()
    # Server-side binding: the arrays travel as parameters, the SQL stays short.
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params)


def insert_rows(model, objects: list, *, ignore_conflicts: bool = True) -> None:
    """INSERT ``objects`` (unsaved instances) in one statement; with ``ignore_conflicts``,
    rows that would break a unique constraint are skipped. Primary keys are not set."""
    if not objects:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects, ignore_conflicts=ignore_conflicts)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = []
    for field in fields:
        prepare = _preparer(field)
        columns.append([prepare(getattr(obj, field.attname)) for obj in objects])
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"SELECT * FROM unnest({', '.join(f'%b::{_array_type(f)}' for f in fields)})"
    )
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    _execute(sql, columns)


def update_rows(model, changes: list[tuple[object, dict]]) -> None:
    """UPDATE many rows, each with its own values, in one statement. ``changes`` pairs an
    instance (its primary key) with ``{field name: value}``; every pair names the same
    fields."""
    if not changes:
        return
    names = sorted(changes[0][1])
    if connection.vendor != "postgresql":
        objects = []
        for obj, values in changes:
            for name, value in values.items():
                setattr(obj, name, value)
            objects.append(obj)
        model.objects.bulk_update(objects, names, batch_size=200)
        return
    fields = [model._meta.get_field(name) for name in names]
    pk = model._meta.pk
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    params = [[obj.pk for obj, _ in changes]]
    for field in fields:
        prepare = _preparer(field)
        params.append([prepare(values[field.name]) for _, values in changes])
    aliases = ", ".join(["id", *(quote(f.column) for f in fields)])
    arrays = ", ".join(
        [f"%b::{pk.rel_db_type(connection)}[]", *(f"%b::{_array_type(f)}" for f in fields)]
    )
    assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in fields)
    _execute(
        f"UPDATE {table} SET {assignments} FROM unnest({arrays}) AS v({aliases}) "
        f"WHERE {table}.{quote(pk.column)} = v.id",
        params,
    )
