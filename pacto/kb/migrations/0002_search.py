"""The full-text index of articles, in each database's own way.

SQLite: an FTS5 table ``kb_article_fts`` (title, body) with the ``unicode61`` tokenizer and
``remove_diacritics 2`` (so "nao" finds "não" and "configuracao" finds "configuração"),
prefix indexes for as-you-type queries, kept in step with ``kb_article`` by triggers.

PostgreSQL: the ``unaccent`` and ``pg_trgm`` extensions; two text search configurations,
``pacto_en`` and ``pacto_pt``, that unaccent every word before the language's stemmer (so
documents and queries fold the same way); a ``search_vector`` column kept by a trigger,
weighted title A, summary B, body C, in the article's language, with a GIN index; and a
trigram GIN index on the folded title, for one-letter typos.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE kb_article_fts USING fts5(
        title, body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4'
    )""",
    """CREATE TRIGGER kb_article_fts_insert AFTER INSERT ON kb_article BEGIN
        INSERT INTO kb_article_fts(rowid, title, body)
        VALUES (new.id, new.title, new.summary || char(10) || new.body_text);
    END""",
    """CREATE TRIGGER kb_article_fts_update AFTER UPDATE OF title, summary, body_text
    ON kb_article BEGIN
        DELETE FROM kb_article_fts WHERE rowid = old.id;
        INSERT INTO kb_article_fts(rowid, title, body)
        VALUES (new.id, new.title, new.summary || char(10) || new.body_text);
    END""",
    """CREATE TRIGGER kb_article_fts_delete AFTER DELETE ON kb_article BEGIN
        DELETE FROM kb_article_fts WHERE rowid = old.id;
    END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS kb_article_fts_insert",
    "DROP TRIGGER IF EXISTS kb_article_fts_update",
    "DROP TRIGGER IF EXISTS kb_article_fts_delete",
    "DROP TABLE IF EXISTS kb_article_fts",
]

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'pacto_en') THEN
            CREATE TEXT SEARCH CONFIGURATION pacto_en (COPY = english);
            ALTER TEXT SEARCH CONFIGURATION pacto_en
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
        END IF;
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'pacto_pt') THEN
            CREATE TEXT SEARCH CONFIGURATION pacto_pt (COPY = portuguese);
            ALTER TEXT SEARCH CONFIGURATION pacto_pt
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, portuguese_stem;
        END IF;
    END $$""",
    # unaccent() is only STABLE (it reads its dictionary by name); pinned to one dictionary
    # it is immutable, which an index expression needs.
    """CREATE OR REPLACE FUNCTION pacto_fold(text) RETURNS text
        LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
        AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$""",
    "ALTER TABLE kb_article ADD COLUMN search_vector tsvector",
    """CREATE OR REPLACE FUNCTION kb_article_search_vector() RETURNS trigger
        LANGUAGE plpgsql AS $$
    DECLARE
        config regconfig := CASE WHEN NEW.locale = 'pt-br'
            THEN 'pacto_pt'::regconfig ELSE 'pacto_en'::regconfig END;
    BEGIN
        NEW.search_vector :=
            setweight(to_tsvector(config, coalesce(NEW.title, '')), 'A')
            || setweight(to_tsvector(config, coalesce(NEW.summary, '')), 'B')
            || setweight(to_tsvector(config, coalesce(NEW.body_text, '')), 'C');
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER kb_article_search_vector BEFORE INSERT OR UPDATE OF
        title, summary, body_text, locale ON kb_article
        FOR EACH ROW EXECUTE FUNCTION kb_article_search_vector()""",
    "CREATE INDEX kb_article_search_gin ON kb_article USING gin (search_vector)",
    "CREATE INDEX kb_article_title_trgm ON kb_article USING gin (pacto_fold(title) gin_trgm_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS kb_article_title_trgm",
    "DROP INDEX IF EXISTS kb_article_search_gin",
    "DROP TRIGGER IF EXISTS kb_article_search_vector ON kb_article",
    "DROP FUNCTION IF EXISTS kb_article_search_vector()",
    "ALTER TABLE kb_article DROP COLUMN IF EXISTS search_vector",
]


def forward(apps, schema_editor):
    statements = {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    statements = {"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("kb", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
