-- Statistics on the text the similar-needs search matches (title and description), so the
-- planner knows how many needs hold a term: a word nearly every need holds is then read from
-- the table, stopping at the few needs the search takes, instead of through the trigram index,
-- which would list every need that holds it first. ANALYZE does not gather them from the
-- index (a partial index's expressions get none). PostgreSQL 14 or newer; the SQLite side needs
-- nothing (its full-text match is walked in order and stops at the limit).
CREATE STATISTICS items_text ON ((title || ' ' || description)) FROM items;
