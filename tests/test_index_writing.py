"""The build's segment writer writes the index Whoosh's own writer writes, posting for posting.

``FastSegmentWriter`` analyses each distinct word once and hands postings to the codec term
by term; every term, document number, weight, position (which phrase searches read), block
statistic, field length and stored value must come out as Whoosh's ``SegmentWriter`` makes
them, on the demo data, the test data and synthetic data.
"""

from __future__ import annotations

import itertools
from functools import partial
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.analysis import NgramWordAnalyzer
from whoosh.codec.whoosh3 import W3Codec
from whoosh.fields import ID, TEXT, Schema

from directory.build.write import index_documents
from directory.data.validate import validate
from directory.records.load import load_sources
from directory.search import index as search
from directory.search import positions
from directory.search.parallel import write_index_in_parts
from directory.search.postings import TermArrays
from directory.search.postings import write as write_term_arrays
from directory.search.processes import IndexingFailed
from directory.search.writing import FastSegmentWriter
from directory.tools.synthetic import write_synthetic_data

from .conftest import FIXTURE_DATA

DEMO_DATA = Path(__file__).parent.parent / "data"


def _write(path: Path, schema, documents, writer_class) -> Path:
    path.mkdir()
    ix = whoosh_index.create_in(str(path), schema)
    writer = writer_class(ix)
    for document in documents:
        writer.add_document(**document)
    writer.commit()
    return path


def _everything(path: Path) -> dict:
    """All an index holds, decoded: what two equal indexes must share."""
    ix = whoosh_index.open_dir(str(path), readonly=True)
    schema = ix.schema
    with ix.reader() as reader:
        terms = {}
        for field, text in reader.all_terms():
            info = reader.term_info(field, text)
            postings = reader.postings(field, text)
            if schema[field].format.supports("positions"):
                items = list(postings.items_as("positions"))
                weights = list(reader.postings(field, text).items_as("weight"))
            else:
                items, weights = list(postings.all_ids()), []
            terms[field, text] = (items, weights, info.weight(), info.doc_frequency(),
                                  info.min_length(), info.max_length(), info.max_weight(),
                                  info.min_id(), info.max_id())
        size = reader.doc_count_all()
        lengths = {field: ([reader.doc_field_length(d, field) for d in range(size)],
                           reader.field_length(field),
                           # (Whoosh fails on the longest of a field no document has.)
                           reader.field_length(field) and reader.max_field_length(field),
                           reader.field_length(field) and reader.min_field_length(field))
                   for field in schema.names() if schema[field].scorable}
        stored = list(reader.iter_docs())
        columns = {field: list(reader.column_reader(field)) for field in schema.names()
                   if schema[field].column_type}
    return {"terms": terms, "lengths": lengths, "stored": stored, "columns": columns,
            "size": size}


def _catalogue_documents(data: Path):
    catalogue, report = validate(load_sources(data))
    assert not report.errors
    languages = catalogue.site.get("languages") or ["en"]
    return search.schema_for(languages), list(index_documents(catalogue))


def _same_both_ways(tmp_path: Path, schema, documents) -> dict:
    whoosh = _everything(_write(tmp_path / "whoosh", schema, documents,
                                lambda ix: ix.writer()))
    fast = _everything(_write(tmp_path / "fast", schema, documents, FastSegmentWriter))
    assert fast["size"] == whoosh["size"] == len(documents)
    assert fast["terms"].keys() == whoosh["terms"].keys()
    for key, postings in whoosh["terms"].items():
        assert fast["terms"][key] == postings, key
    assert fast == whoosh
    return fast


@pytest.mark.parametrize("data", [DEMO_DATA, FIXTURE_DATA], ids=["demo", "fixture"])
def test_the_catalogue_indexes_as_whoosh_indexes_it(tmp_path, data):
    schema, documents = _catalogue_documents(data)
    written = _same_both_ways(tmp_path, schema, documents)
    # Positions are there: a phrase search reads them.
    assert any(len(poses) > 1 or poses[0] > 0
               for (field, _), (items, *_) in written["terms"].items() if field == "description"
               for _, poses in items)


def test_synthetic_data_in_three_languages_indexes_as_whoosh_indexes_it(tmp_path):
    data = tmp_path / "data"
    write_synthetic_data(data, 300, seed=5)
    schema, documents = _catalogue_documents(data)
    assert any(name.endswith("_in_es") for name in schema.names())
    _same_both_ways(tmp_path, schema, documents)


def test_small_caches_chunks_and_blocks_still_index_as_whoosh_indexes(tmp_path, monkeypatch):
    # Kept values dropped as they fill, lists made a few postings at a time (a term's
    # postings across chunks), blocks of 4 (terms across several blocks), boosts.
    monkeypatch.setattr(FastSegmentWriter, "KEEP_VALUES", 3)
    monkeypatch.setattr(FastSegmentWriter, "JUDGE_AFTER", 5)
    monkeypatch.setattr(FastSegmentWriter, "CHUNK", 5)
    codec_init = W3Codec.__init__
    monkeypatch.setattr(W3Codec, "__init__",
                        lambda self, **kwargs: codec_init(self, **{**kwargs, "blocklimit": 4}))
    data = tmp_path / "data"
    write_synthetic_data(data, 60, seed=7)
    schema, documents = _catalogue_documents(data)
    documents[3]["_topics_boost"] = 2.5
    documents[5]["_boost"] = 0.5
    written = _same_both_ways(tmp_path, schema, documents)
    assert max(len(items) for items, *_ in written["terms"].values()) > 8


def test_stop_words_punctuation_accents_and_repeats_index_as_whoosh_indexes_them(tmp_path):
    schema = search.schema_for(["en", "es", "id"])
    texts = ["the of and a", "The youth of the city, the YOUTH!", "e.g. U.S. walk-in 24/7",
             "Consejería para niños y niñas, consejería", "", "a a a counselling counselling",
             "layanan untuk anak di Jakarta dukungan", "x", "  ", "über café naïve 1.5mg"]
    documents = [{"id": f"s{n}", "name": text, "description": texts[-1 - n],
                  "topics": texts[(n + 3) % len(texts)], "organization": text,
                  "name_in_es": text, "description_in_es": texts[(n + 1) % len(texts)],
                  "topics_in_id": text, "sort_name": text.casefold(), "category": "a,b"}
                 for n, text in enumerate(texts)]
    written = _same_both_ways(tmp_path, schema, documents)
    # "The youth of the city, the YOUTH!": the first word kept keeps its place (1), the
    # next follow it with no gap for the stop words ("city" 2, "youth" 3).
    assert dict(written["terms"]["name", b"youth"][0]) == {1: [1, 3]}


def test_a_field_it_cannot_analyse_word_by_word_is_left_to_whoosh(tmp_path):
    schema = Schema(id=ID(stored=True), grams=TEXT(analyzer=NgramWordAnalyzer(2, 4)),
                    text=TEXT())
    documents = [{"id": "a", "grams": "walk in clinic", "text": "walk in clinic"},
                 {"id": "b", "grams": "crisis line", "text": "the crisis line"}]
    written = _same_both_ways(tmp_path, schema, documents)
    assert ("grams", b"wa") in written["terms"]


def test_the_index_written_in_parallel_finds_what_one_process_finds(tmp_path, monkeypatch):
    schema, documents = _catalogue_documents(DEMO_DATA)
    languages = [n.removeprefix("name_in_") for n in schema.names() if n.startswith("name_in_")]
    search.write_index(tmp_path / "one", documents, languages=["en", *languages])
    monkeypatch.setattr(search, "PARALLEL_FROM", 2)
    monkeypatch.setattr(search, "BATCH_SIZE", 3)
    monkeypatch.setattr(search.os, "cpu_count", lambda: 2)
    search.write_index(tmp_path / "parallel", documents, languages=["en", *languages])

    def by_id(path):
        written = _everything(path)
        ids = [fields["id"] for _, fields in written["stored"]]
        return {key: sorted((ids[docnum], poses) for docnum, poses in items)
                for key, (items, *_) in written["terms"].items()
                if isinstance(items[0], tuple)}

    one, parallel = by_id(tmp_path / "one"), by_id(tmp_path / "parallel")
    assert len(whoosh_index.open_dir(str(tmp_path / "parallel")).reader().leaf_readers()) \
        >= 2
    assert one == parallel


def _term_arrays(path: Path) -> dict:
    arrays = TermArrays.of(path)
    assert arrays is not None
    with whoosh_index.open_dir(str(path), readonly=True).reader() as reader:
        terms = list(reader.all_terms())
    try:
        return {(field, text): tuple(map(list, arrays.get(field, text)))
                for field, text in terms}
    finally:
        arrays.close()


def _postings(path: Path) -> dict:
    """What ``_everything`` reads, but the statistics Whoosh keeps per segment (a field's
    longest and shortest value, which it cannot read from a segment without the field)."""
    ix = whoosh_index.open_dir(str(path), readonly=True)
    schema = ix.schema
    with ix.reader() as reader:
        terms = {(field, text): (list(reader.postings(field, text).items_as("positions")),
                                 list(reader.postings(field, text).items_as("weight")),
                                 reader.doc_frequency(field, text),
                                 reader.frequency(field, text))
                 if schema[field].format.supports("positions") else
                 list(reader.postings(field, text).all_ids())
                 for field, text in reader.all_terms()}
        size = reader.doc_count_all()
        # (A segment that no document with the field went to has no lengths for it:
        # Whoosh reads None there, where one segment reads 0.)
        lengths = {field: ([reader.doc_field_length(d, field) or 0 for d in range(size)],
                           reader.field_length(field))
                   for field in schema.names() if schema[field].scorable}
        stored = list(reader.iter_docs())
        columns = {field: list(reader.column_reader(field)) for field in schema.names()
                   if schema[field].column_type}
    return {"terms": terms, "lengths": lengths, "stored": stored, "columns": columns}


def test_an_index_written_in_parts_holds_what_one_process_writes(tmp_path, monkeypatch):
    """Consecutive parts, one forked process and segment each: the same documents under the
    same numbers, every posting, length and stored value as one process writes them, and the
    same flat copy of the postings as the one read back from the finished index."""
    data = tmp_path / "data"
    write_synthetic_data(data, 300, seed=4)
    catalogue, report = validate(load_sources(data))
    assert not report.errors
    languages = catalogue.site.get("languages") or ["en"]
    services = catalogue.services
    search.write_index(tmp_path / "one", index_documents(catalogue), languages=languages)
    cuts = [0, 100, 101, 250, len(services)]  # one part of a single service
    parts = [(len(list(index_documents(catalogue, services[a:b]))),
              partial(index_documents, catalogue, services[a:b]))
             for a, b in itertools.pairwise(cuts)]
    # The words' places made a few postings at a time: chunks that end inside a term.
    monkeypatch.setattr(positions.Part, "CHUNK", 7)
    write_index_in_parts(tmp_path / "parts", parts, languages=languages)
    assert len(whoosh_index.open_dir(str(tmp_path / "parts")).reader().leaf_readers()) == 4
    one, split = _postings(tmp_path / "one"), _postings(tmp_path / "parts")
    assert split["stored"] == one["stored"]  # document numbers in the catalogue's order
    assert split["lengths"] == one["lengths"] and split["columns"] == one["columns"]
    assert split["terms"].keys() == one["terms"].keys()
    for key, postings in one["terms"].items():
        assert split["terms"][key] == postings, key
    assert _term_arrays(tmp_path / "parts") == _term_arrays(tmp_path / "one")
    # The parts' files are joined into the files the finished index's blocks give.
    assert sorted(p.name for p in (tmp_path / "parts").glob("terms.*")) == \
        ["terms.ids", "terms.table.npy", "terms.weights"]
    written = tmp_path / "read back"
    written.mkdir()
    with whoosh_index.open_dir(str(tmp_path / "parts")).reader() as reader:
        assert write_term_arrays(written, reader)
    for name in ("terms.ids", "terms.table.npy", "terms.weights"):
        assert (tmp_path / "parts" / name).read_bytes() == (written / name).read_bytes()
    # And the words' places (quoted phrases): made by the parts from the values they store,
    # the same files as decoded from the finished index's blocks.
    assert sorted(p.name for p in (tmp_path / "parts").glob("positions.*")) == \
        ["positions.keys", "positions.table.npy"]
    with whoosh_index.open_dir(str(tmp_path / "parts")).reader() as reader:
        assert positions.write(written, reader)
    for name in ("positions.keys", "positions.table.npy"):
        assert (tmp_path / "parts" / name).read_bytes() == (written / name).read_bytes()
    assert (written / "positions.keys").stat().st_size > 100_000


def test_a_failing_part_is_one_line_and_no_index_is_left_half_written(tmp_path):
    def broken():
        yield {"id": "a", "name": "walk in"}
        raise OSError(28, "No space left on device", "x.seg")

    parts = [(1, lambda: iter([{"id": "b", "name": "crisis line"}])), (2, broken)]
    with pytest.raises(IndexingFailed) as failed:
        write_index_in_parts(tmp_path / "ix", parts)
    assert str(failed.value) == ("an indexing process failed: no space left on device "
                                 "(x.seg)")
