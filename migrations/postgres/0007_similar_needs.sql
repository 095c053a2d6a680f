-- Similar earlier needs: a trigram index of every need's title and description (pg_trgm), for
-- English and Japanese alike. No table: the SQLite side's full-text table is dialect-only.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX needs_by_trigram ON items USING gin ((title || ' ' || description) gin_trgm_ops)
    WHERE kind = 'need';
