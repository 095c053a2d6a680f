-- Similar earlier needs: keep the full-text index in few segments. Every write adds a segment,
-- and FTS5 merges them a little at a time, so up to 16 (its default "crisismerge") pile up on a
-- level before they are merged at once; a lookup seeks each of its terms' trigrams in every
-- segment. Merging as soon as three are on a level costs a write about a third more index work
-- (a few microseconds) and makes a lookup of a common word about 1.5–2× faster (measured with
-- 10,000 needs written three to a transaction; BENCHMARKS.md). The setting is stored with the
-- index.
INSERT INTO needs_fts (needs_fts, rank) VALUES ('crisismerge', 3);
