-- Similar earlier needs: a full-text index of every need's title and description with the
-- trigram tokenizer, which needs no word boundaries and so serves Japanese as well as English.
-- The rowid is the item's id; triggers keep it in step with the items (the kind never changes).
CREATE VIRTUAL TABLE needs_fts USING fts5 (title, description, tokenize = 'trigram');

INSERT INTO needs_fts (rowid, title, description) SELECT id, title, description FROM items WHERE kind = 'need';

CREATE TRIGGER needs_fts_insert AFTER INSERT ON items WHEN new.kind = 'need' BEGIN
    INSERT INTO needs_fts (rowid, title, description) VALUES (new.id, new.title, new.description);
END;

CREATE TRIGGER needs_fts_update AFTER UPDATE OF title, description ON items WHEN new.kind = 'need' BEGIN
    DELETE FROM needs_fts WHERE rowid = old.id;
    INSERT INTO needs_fts (rowid, title, description) VALUES (new.id, new.title, new.description);
END;

CREATE TRIGGER needs_fts_delete AFTER DELETE ON items WHEN old.kind = 'need' BEGIN
    DELETE FROM needs_fts WHERE rowid = old.id;
END;
