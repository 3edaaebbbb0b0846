"""A Whoosh segment writer that writes the same index with far less Python per word.

Whoosh's ``SegmentWriter`` runs every token of every document through its analyzer chain
(tokenizer, lowercase, stop list, stemmer: one generator step and a few attribute writes per
filter), puts every posting as a tuple into a sorting pool that pickles runs to disk, and on
commit reads each posting's field length back from the column it just wrote. On a large
catalogue that is most of the build.

``FastSegmentWriter`` keeps Whoosh's file formats and codec and changes only how postings are
made and handed over:

- a word's analysis is the same wherever it occurs (the filters of the analyzers here look at
  one token at a time), so each distinct word is analysed once, with Whoosh's own analyzer,
  and text is split with the tokenizer's own regular expression in one pass;
- a value that repeats (a category's words, an organization's name) is analysed once and
  kept as two arrays of numbers;
- postings are gathered in memory as numbers (the term's, and the posting value's: weight,
  encoded positions and field length, one shared entry for all postings that have it), put
  in Whoosh's order with one numpy sort per field, and written a block at a time, with the
  field length known instead of read back.

The index written is identical, posting for posting (``tests/test_index_writing.py``). A field
or analyzer it does not know to be per-token falls back to Whoosh's own ``index``.
"""

from __future__ import annotations

import re
import zlib
from array import array
from pickle import dumps

import numpy as np
from whoosh.analysis import (
    CharsetFilter,
    CompositeAnalyzer,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.codec.whoosh3 import (
    WHOOSH3_HEADER_MAGIC,
    W3PostingsWriter,
    byte_to_length,
    length_to_byte,
)
from whoosh.formats import Positions
from whoosh.system import emptybytes
from whoosh.util.text import utf8encode
from whoosh.writing import SegmentWriter

# Filters that map one token to at most one token by its text alone (the stop filter drops
# a token and renumbers the positions after it, which ``_Words`` does the same way).
_PER_TOKEN = (LowercaseFilter, StopFilter, StemFilter, CharsetFilter)
_MISSING = object()


def _per_token(analyzer) -> bool:
    """Whether ``analyzer`` is a regex tokenizer followed only by per-token filters."""
    if not isinstance(analyzer, CompositeAnalyzer):
        return False
    first, *rest = analyzer.items
    return (type(first) is RegexTokenizer and not first.gaps
            and all(type(item) in _PER_TOKEN for item in rest)
            and all(item.renumber for item in rest if isinstance(item, StopFilter))
            and sum(isinstance(item, StopFilter) for item in rest) <= 1)


_CLASS = re.compile(r"\[(?:\\.|[^\]\\])*\]")  # a character class, as [\w\*]


def _tokens(expression: re.Pattern):
    """The tokenizer's matches as strings: ``findall`` of its expression with its groups
    made non-capturing (the same matches, without a match object each), or, for an
    expression that cannot be rewritten safely, each match's text."""
    pattern = expression.pattern
    if isinstance(pattern, str):
        classes = _CLASS.findall(pattern)
        outside = _CLASS.sub("", pattern)
        if not any("(" in found for found in classes) and "(?" not in outside \
                and "\\(" not in outside:
            plain = re.compile(pattern.replace("(", "(?:"), expression.flags)
            if plain.groups == 0:
                return plain.findall
    finditer = expression.finditer
    return lambda value: [match.group(0) for match in finditer(value)]


class _Words:
    """The terms of a text as one analyzer makes them, as numbers (``_Field.number``): term
    number → its positions."""

    def __init__(self, analyzer, number):
        self.analyzer = analyzer
        self.number = number
        self.tokens = _tokens(analyzer.items[0].expression)
        self.terms: dict[str, int] = {}  # a token as written → its term's number, -1: stopped
        self.renumber = any(isinstance(item, StopFilter) for item in analyzer.items)

    def _term(self, token: str) -> int:
        made = [t.text for t in self.analyzer(token, positions=True, boosts=True,
                                              mode="index")]
        if len(made) > 1:  # cannot happen with the filters above; never guess
            raise ValueError(f"{token!r} analyses to several terms")
        found = self.terms[token] = self.number(made[0]) if made else -1
        return found

    def positions(self, value: str) -> tuple[dict[int, list[int]], int]:
        """Each term's positions in ``value``, and how many words were kept."""
        tokens = self.tokens(value)
        numbers = list(map(self.terms.get, tokens))
        if None in numbers:  # words not seen before
            for at, number in enumerate(numbers):
                if number is None:
                    token = tokens[at]
                    known = self.terms.get(token)  # the same new word earlier in the text
                    numbers[at] = self._term(token) if known is None else known
        first = 0
        if self.renumber and -1 in numbers:
            # As StopFilter(renumber=True): the first word kept keeps its place in the
            # text, each later one follows it (the stopped words between leave no gap).
            while first < len(numbers) and numbers[first] == -1:
                first += 1
            numbers = [number for number in numbers if number != -1]
        found: dict[int, list[int]] = {}
        get = found.get
        for pos, number in enumerate(numbers, first):
            at = get(number)
            if at is None:
                found[number] = [pos]
            else:
                at.append(pos)
        return found, len(numbers)


class _Field:
    """One field's postings while a segment is written: a number per distinct term, and per
    posting its term's number and its value's (``FastSegmentWriter._value``), the document
    numbers once per document with how many postings each gave."""

    __slots__ = ("numbers", "terms", "tids", "vids", "docs", "counts")

    def __init__(self):
        self.numbers: dict = {}  # a term (text, or bytes from Whoosh's own analysis) → number
        self.terms: list[bytes] = []  # number → the term's UTF-8 bytes
        self.tids, self.vids = array("i"), array("i")
        self.docs, self.counts = array("i"), array("i")

    def number(self, term) -> int:
        found = self.numbers.get(term)
        if found is None:
            found = self.numbers[term] = len(self.terms)
            self.terms.append(term if isinstance(term, bytes) else utf8encode(term)[0])
        return found


class FastSegmentWriter(SegmentWriter):
    """A ``SegmentWriter`` writing the same segment as Whoosh's, several times faster.

    Postings are kept in memory until commit, as two 32-bit numbers each (a process indexing
    25,000 services holds a few million), and sorted into Whoosh's order with numpy."""

    # Distinct values of a field kept analysed (a category's words repeat across services;
    # a value kept is two small arrays: 25,000 services have about 8,000 distinct topics).
    KEEP_VALUES = 16384
    # A field whose values rarely repeat (descriptions: 54 of 25,000) keeps none once this
    # many have been looked up with fewer than a quarter found: its kept values were tens
    # of MB in every indexing process, for nothing.
    JUDGE_AFTER = 1000
    # Postings turned into Python lists at a time when a field is written (bounded memory).
    CHUNK = 1 << 16

    def __init__(self, ix, **kwargs):
        super().__init__(ix, **kwargs)
        self._fields: dict[str, _Field] = {}
        self._words: dict[str, _Words | None] = {}
        self._values: dict[str, dict[str, tuple]] = {}
        self._looked_up: dict[str, list[int]] = {}  # field → [values found, looked up]
        # A posting's value (weight, encoded positions, stored length): one number each,
        # the same for every posting that has it.
        self._vid: dict[tuple, int] = {}
        self._vweights: list[float] = []
        self._vbytes: list[bytes] = []
        self._vlengths: list[int] = []
        # (field, boost, stored length) → positions → the posting value's number.
        self._kept: dict[tuple, dict[tuple, int]] = {}
        # Positions → Whoosh's encoding, one bytes object each: a block pickles an object it
        # holds twice as a reference, so sharing them keeps the segment a third smaller.
        self._encoded: dict[tuple, bytes] = {}
        self._lengths = self.codec.length_stats
        # Set by a caller that wants the segment's postings as arrays too (``postings``),
        # and its positions as keys (``positions``).
        self.arrays = None
        self.positions = None

    def _fast(self, fieldname: str, field, postings: _Field) -> _Words | None:
        if fieldname not in self._words:
            fast = (type(field.format) is Positions and not field.vector
                    and not field.separate_spelling() and _per_token(field.analyzer))
            self._words[fieldname] = _Words(field.analyzer, postings.number) if fast else None
        return self._words[fieldname]

    def _value(self, weight: float, vbytes: bytes, stored: int) -> int:
        key = (weight, vbytes, stored)
        found = self._vid.get(key)
        if found is None:
            found = self._vid[key] = len(self._vweights)
            self._vweights.append(weight)
            self._vbytes.append(vbytes)
            self._vlengths.append(stored)
        return found

    def _stored(self, length: int) -> int:
        # The length Whoosh reads back for each posting: stored as one byte.
        return byte_to_length(length_to_byte(length)) if length and self._lengths else 0

    def _analysed(self, fieldname: str, field, words: _Words, value: str,
                  fieldboost: float) -> tuple:
        """(term numbers, value numbers, field length) of ``value``, as ``field.index(value)``
        makes its postings."""
        found, length = words.positions(value)
        if not field.scorable:
            length = 0
        stored = self._stored(length)
        # A posting's value follows from its positions once the field and length are known.
        kept = self._kept.get((fieldname, fieldboost, stored))
        if kept is None:
            kept = self._kept[fieldname, fieldboost, stored] = {}
        keys = list(map(tuple, found.values()))
        vids = list(map(kept.get, keys))
        if None in vids:
            boost, encode, encoded = field.format.field_boost, field.format.encode, \
                self._encoded
            for at, vid in enumerate(vids):
                if vid is None:
                    key = keys[at]
                    vid = kept.get(key)  # the same positions earlier in the text
                    if vid is None:
                        # As Positions.word_values: the sum of each token's boost (1.0),
                        # times the field's.
                        vbytes = encoded.get(key)
                        if vbytes is None:
                            vbytes = encoded[key] = encode(key)
                        vid = kept[key] = self._value(float(len(key)) * boost * fieldboost,
                                                      vbytes, stored)
                    vids[at] = vid
        return array("i", found), array("i", vids), length

    def _indexed(self, fieldname: str, field, words: _Words | None, value,
                 fieldboost: float, postings: _Field) -> tuple:
        """(term numbers, value numbers, field length) of ``value``, by ``_analysed`` or
        Whoosh's own analysis (``_whooshs``), kept for values that repeat."""
        if not isinstance(value, str):
            return self._whooshs(field, value, fieldboost, postings)
        if fieldboost != 1.0:
            return self._made(fieldname, field, words, value, fieldboost, postings)
        values = self._values.setdefault(fieldname, {})
        counts = self._looked_up.setdefault(fieldname, [0, 0])
        counts[1] += 1
        found = values.get(value)
        if found is not None:
            counts[0] += 1
            return found
        found = self._made(fieldname, field, words, value, fieldboost, postings)
        if counts[1] >= self.JUDGE_AFTER and counts[0] * 4 < counts[1]:
            values.clear()  # and none kept from now on
            return found
        if len(values) >= self.KEEP_VALUES:
            values.clear()
        values[value] = found
        return found

    def _made(self, fieldname: str, field, words: _Words | None, value: str,
              fieldboost: float, postings: _Field) -> tuple:
        if words is None:
            return self._whooshs(field, value, fieldboost, postings)
        return self._analysed(fieldname, field, words, value, fieldboost)

    def _whooshs(self, field, value, fieldboost: float, postings: _Field) -> tuple:
        """``_analysed`` of a field left to Whoosh's own ``index``."""
        if field.separate_spelling() or field.vector:
            raise NotImplementedError(f"{field}: spelling or vectors")
        items = list(field.index(value))
        length = sum(item[1] for item in items) if field.scorable else 0
        stored = self._stored(length)
        tids = array("i", [postings.number(btext) for btext, _, _, _ in items])
        vids = array("i", [self._value(weight * fieldboost, vbytes or emptybytes, stored)
                           for _, _, weight, vbytes in items])
        return tids, vids, length

    def add_document(self, **fields):
        # As SegmentWriter.add_document, with postings gathered as numbers instead of pooled.
        self._check_state()
        perdocwriter, schema, docnum = self.perdocwriter, self.schema, self.docnum
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)
        made = []  # (postings, term numbers, value numbers), kept once the document is whole
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    fieldboost = self._field_boost(fields, fieldname, docboost)
                    postings = self._fields.get(fieldname)
                    if postings is None:
                        postings = self._fields[fieldname] = _Field()
                    words = self._fast(fieldname, field, postings)
                    tids, vids, length = self._indexed(fieldname, field, words, value,
                                                       fieldboost, postings)
                    made.append((postings, tids, vids))
                customval = fields.get(f"_stored_{fieldname}", value)
                perdocwriter.add_field(fieldname, field, customval if field.stored else None,
                                       length)
                column = field.column_type
                if column and customval is not None:
                    perdocwriter.add_column_value(fieldname, column,
                                                  field.to_column_value(customval))
        except Exception:
            perdocwriter.cancel_doc()
            raise
        for postings, tids, vids in made:
            if tids:
                postings.tids.extend(tids)
                postings.vids.extend(vids)
                postings.docs.append(docnum)
                postings.counts.append(len(tids))
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self):
        self.perdocwriter.close()
        writer, schema = self.fieldwriter, self.schema
        weights = np.array(self._vweights, dtype=np.float64)
        lengths = np.array(self._vlengths, dtype=np.int64)
        for fieldname in sorted(self._fields):
            postings = self._fields.pop(fieldname)
            writer.start_field(fieldname, schema[fieldname])
            if postings.terms:
                self._write_field(writer, fieldname, schema[fieldname], postings, weights,
                                  lengths)
            writer.finish_field()
        writer.close()

    def _write_field(self, writer, fieldname: str, field, postings: _Field,
                     weights: np.ndarray, lengths: np.ndarray) -> None:
        """Every term of a field in byte order, each with its postings in document order."""
        terms = postings.terms
        order = sorted(range(len(terms)), key=terms.__getitem__)
        rank = np.empty(len(terms), dtype=np.int64)
        rank[order] = np.arange(len(terms))
        ranks = rank[np.frombuffer(postings.tids, dtype=np.int32)]
        # Stable: a term's postings stay in the order documents were added.
        by_term = np.argsort(ranks, kind="stable")
        docs = np.repeat(np.frombuffer(postings.docs, dtype=np.int32),
                         np.frombuffer(postings.counts, dtype=np.int32))[by_term]
        vids = np.frombuffer(postings.vids, dtype=np.int32)[by_term]
        counts = np.bincount(ranks, minlength=len(terms))
        del postings.tids, postings.vids, ranks, by_term
        starts = np.zeros(len(terms), dtype=np.int64)
        np.cumsum(counts[:-1], out=starts[1:])
        texts = [terms[number] for number in order]
        weights, lengths = weights[vids], lengths[vids]
        if self.arrays is not None:
            self.arrays.add_field(fieldname, texts, counts, docs, weights.astype(np.float32))
        if self.positions is not None and type(field.format) is Positions:
            self.positions.add_field(fieldname, texts, counts, docs, vids, self._vbytes)
        postwriter = getattr(writer, "_postwriter", None)
        if type(postwriter) is not W3PostingsWriter:
            vbytes = self._vbytes
            for text, start, count in zip(texts, starts.tolist(), counts.tolist(),
                                          strict=True):
                writer.start_term(text)
                for at in range(start, start + count):
                    writer.add(int(docs[at]), float(weights[at]), vbytes[vids[at]],
                               int(lengths[at]))
                writer.finish_term()
            return
        blocks = _Blocks(postwriter, field.format, docs, weights, lengths, vids,
                         self._vbytes, starts, counts)
        for text, start, count in zip(texts, starts.tolist(), counts.tolist(), strict=True):
            writer.start_term(text)
            blocks.write(start, count)
            writer.finish_term()


class _Blocks:
    """A field's postings, sorted by term, written as ``W3PostingsWriter`` writes them: the
    same blocks of up to 128, block statistics and bytes, from Python lists made a chunk at
    a time from the arrays (instead of four type checks and a call per posting)."""

    def __init__(self, postwriter: W3PostingsWriter, format_, docs, weights, lengths, vids,
                 vbytes, starts, counts):
        self.postwriter, self.limit = postwriter, postwriter._blocklimit
        self.fixed = format_.fixed_value_size()
        self.docs, self.weights, self.lengths, self.vids = docs, weights, lengths, vids
        self.vbytes = vbytes
        # Whoosh's delta encoding of a block's ids: the first as it is, then differences.
        deltas = docs.astype(np.int64)
        deltas[1:] -= docs[:-1]
        within = np.arange(len(docs)) - np.repeat(starts, counts)
        firsts = within % self.limit == 0
        deltas[firsts] = docs[firsts]
        self.deltas = deltas
        self.chunk = (0, 0)
        self.lists = ()

    def _lists(self, start: int, end: int):
        low, high = self.chunk
        if not (low <= start and end <= high):
            low, high = start, max(end, start + FastSegmentWriter.CHUNK)
            part = slice(low, high)
            weights = self.weights[part]
            vbytes = self.vbytes
            self.lists = (self.docs[part].tolist(), self.deltas[part].tolist(),
                          weights.tolist(), weights.astype(np.float32).tolist(),
                          self.lengths[part].tolist(),
                          [vbytes[vid] for vid in self.vids[part].tolist()])
            self.chunk = (low, high)
        return low, self.lists

    def write(self, start: int, count: int) -> None:
        low, (docs, deltas, weights, rounded, lengths, values) = self._lists(start,
                                                                           start + count)
        postwriter, limit = self.postwriter, self.limit
        begin, end = start - low, start - low + count
        for at in range(begin, end, limit):
            stop = min(at + limit, end)
            block_lengths = lengths[at:stop]
            if 0 in block_lengths:  # as add_posting: only lengths > 0 count
                block_lengths = [length for length in block_lengths if length]
            block_values = values[at:stop]
            if not all(block_values):
                block_values = [value for value in block_values if value]
            highest = max(weights[at:stop])
            _write_block(postwriter, self.fixed, docs[at:stop], deltas[at:stop],
                         rounded[at:stop], highest if highest > 0 else 0, block_values,
                         min(block_lengths) if block_lengths else None,
                         max(block_lengths) if block_lengths else 0, last=stop == end)


def _write_block(postwriter: W3PostingsWriter, fixed, ids: list, deltas: list,
                 weights: list, maxweight, values: list, minlength, maxlength,
                 last: bool) -> None:
    """``W3PostingsWriter._write_block`` of a block given whole: the same bytes."""
    if not postwriter._blockcount:
        postwriter._postfile.write(WHOOSH3_HEADER_MAGIC)
    # The statistics ``add_block`` reads from the writer's buffer.
    postwriter._ids, postwriter._weights = ids, weights
    postwriter._minlength, postwriter._maxlength = minlength, maxlength
    postwriter._maxweight = maxweight
    postwriter._terminfo.add_block(postwriter)
    first = weights[0]
    if first == 1.0 and weights.count(first) == len(weights):
        mini_weights = None
    elif weights.count(first) == len(weights):
        mini_weights = first
    else:
        mini_weights = tuple(weights)
    if fixed is None or fixed < 0:
        mini_values = tuple(values)
    elif fixed == 0:
        mini_values = None
    else:
        mini_values = emptybytes.join(values)
    databytes = dumps((tuple(deltas), mini_weights, mini_values), 2)
    comp = postwriter._compression
    if comp:
        databytes = zlib.compress(databytes, comp)
    infobytes = dumps((len(ids), ids[-1], maxweight, comp, length_to_byte(minlength),
                       length_to_byte(maxlength)), 2)
    postfile = postwriter._postfile
    blocklength = len(infobytes) + len(databytes)
    postfile.write_int(-blocklength if last else blocklength)
    postfile.write(infobytes)
    postfile.write(databytes)
    postwriter._blockcount += 1
    postwriter._ids = []  # nothing left buffered: finish_postings writes no block
