"""The index's fields per language: a repeated value is analysed once and indexed the same."""

from __future__ import annotations

from whoosh import index as whoosh_index
from whoosh.fields import TEXT

from directory.search import index as search

DOCS = [{"id": f"s{n}", "name": f"Service {n}", "topics": "Counselling therapy groups",
         "organization": "Harbour Youth Trust" if n % 2 else "Riverside",
         "description": f"Talk to someone {n}", "category": "counselling",
         "sort_name": f"service {n}", "name_in_es": "Consejería" if n == 3 else "",
         "topics_in_es": "Consejería terapia grupos de apoyo", "description_in_es": "",
         "name_in_id": "", "topics_in_id": "Konseling dukungan", "description_in_id": ""}
        for n in range(40)]


def _postings(path):
    ix = whoosh_index.open_dir(str(path))
    with ix.reader() as reader:
        terms = {(field, text): list(reader.postings(field, text).items_as("weight"))
                 for field, text in reader.all_terms() if field not in ("id", "sort_name")}
        lengths = {field: [reader.doc_field_length(d, field) for d in range(len(DOCS))]
                   for field in ix.schema.names() if ix.schema[field].scorable}
    return terms, lengths


def test_repeated_values_index_exactly_as_analysing_each(tmp_path, monkeypatch):
    languages = ["en", "es", "id"]
    search.write_index(tmp_path / "cached", DOCS, languages=languages)
    monkeypatch.setattr(search.RepeatedText, "index", TEXT.index)
    search.write_index(tmp_path / "plain", DOCS, languages=languages)
    cached, plain = _postings(tmp_path / "cached"), _postings(tmp_path / "plain")
    assert cached == plain
    assert ("topics_in_es", b"terapi") in cached[0] and ("topics_in_id", b"dukung") in cached[0]


def test_each_language_has_its_fields_and_english_none_extra():
    assert "topics_in_es" in search.schema_for(["en", "es"]).names()
    assert not [n for n in search.schema_for(["en"]).names() if "_in_" in n]


def test_a_page_languages_stop_words_are_not_required_words(tmp_path):
    # The English fields keep "con" and "de" as words: on a Spanish page, "terapia con
    # grupos" required "con" in English text and found no service by all its words.
    search.write_index(tmp_path / "ix", DOCS, languages=["en", "es", "id"])
    spanish = search.Index(tmp_path / "ix", {}).in_language("es")
    assert spanish.matches(spanish.query("terapia con grupos de apoyo")).bit_count() == 40
    assert spanish.matches(spanish.query("¿terapia? con")).bit_count() == 40
    # Only stop words: nothing, as in English; a quoted phrase stays whole.
    assert spanish.matches(spanish.query("con de")).bit_count() == 0
    assert "con" in str(spanish.query('"terapia con grupos"'))
    indonesian = search.Index(tmp_path / "ix", {}).in_language("id")
    assert indonesian.matches(indonesian.query("konseling yang dukungan")).bit_count() == 40
