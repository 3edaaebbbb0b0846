"""The baseline the benchmark measures the site's search against: the same searches done
directly with SQLite FTS5 (porter stemming, BM25 with the Whoosh schema's field boosts) over
a copy of a build's database."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from ..search.index import normalise

FTS_SETUP = """
CREATE VIRTUAL TABLE services_fts USING fts5(
    id UNINDEXED, name, topics, description, tokenize = 'porter unicode61');
-- Name matches count most, then category words, as in the Whoosh schema's field boosts.
INSERT INTO services_fts(services_fts, rank) VALUES ('rank', 'bm25(0.0, 4.0, 2.0, 1.0)');
INSERT INTO services_fts(id, name, topics, description)
    SELECT s.id, s.name,
           (SELECT group_concat(c.name || ' ' || coalesce(c.synonyms, ''), ' ')
              FROM service_categories sc JOIN categories c ON c.id = sc.category_id
             WHERE sc.service_id = s.id),
           s.description
      FROM services s WHERE s.status = 'active';
INSERT INTO services_fts(services_fts) VALUES ('optimize');
"""
FTS_TOP = "SELECT id FROM services_fts WHERE services_fts MATCH ? ORDER BY rank LIMIT ?"
FTS_COUNT = "SELECT count(*) FROM services_fts WHERE services_fts MATCH ?"
# A category filter takes its descendants too, as the Whoosh category field holds ancestors.
_IN_CATEGORY = """
WITH RECURSIVE wanted(id) AS (
    SELECT ? UNION SELECT c.id FROM categories c JOIN wanted w ON c.parent_id = w.id)
SELECT {what} FROM services_fts
 WHERE services_fts MATCH ?
   AND id IN (SELECT service_id FROM service_categories
               WHERE category_id IN (SELECT id FROM wanted))
"""
FTS_TOP_IN = _IN_CATEGORY.format(what="id") + " ORDER BY rank LIMIT ?"
FTS_COUNT_IN = _IN_CATEGORY.format(what="count(*)")


def fts5_searcher(database: Path, workdir: Path):
    """The same search done directly with SQLite FTS5, over a copy of the build's database."""
    copy = workdir / "fts5.db"
    shutil.copyfile(database, copy)
    db = sqlite3.connect(copy, check_same_thread=False)
    db.executescript(FTS_SETUP)
    db.commit()

    def search(text: str, category: str | None) -> int:
        match = " OR ".join(f'"{term}"' for term in normalise(text).split())
        if category:
            [row[0] for row in db.execute(FTS_TOP_IN, (category, match, 20))]
            return db.execute(FTS_COUNT_IN, (category, match)).fetchone()[0]
        [row[0] for row in db.execute(FTS_TOP, (match, 20))]
        return db.execute(FTS_COUNT, (match,)).fetchone()[0]

    return search, db
