"""A speed-up of the PostgreSQL search: a small ``title_vector`` (the title alone, in the
article's language configuration) with its own GIN index, so an as-you-type query ranks the
few articles whose title matches before (and usually instead of) every article whose body
does. Ranking every match of a common prefix read and ranked thousands of large
``search_vector`` values per query (``benchmarks/README.md``). ``search_vector`` and its
ranking are unchanged; SQLite is unchanged.
"""

from django.db import migrations

FORWARD = [
    "ALTER TABLE kb_article ADD COLUMN title_vector tsvector",
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
        NEW.title_vector := to_tsvector(config, coalesce(NEW.title, ''));
        RETURN NEW;
    END $$""",
    """UPDATE kb_article SET title_vector = to_tsvector(CASE WHEN locale = 'pt-br'
        THEN 'pacto_pt'::regconfig ELSE 'pacto_en'::regconfig END, title)""",
    "CREATE INDEX kb_article_title_gin ON kb_article USING gin (title_vector)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS kb_article_title_gin",
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
    "ALTER TABLE kb_article DROP COLUMN IF EXISTS title_vector",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("kb", "0005_fts_scope")]

    operations = [migrations.RunPython(forward, backward)]
