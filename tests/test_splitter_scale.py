"""The sentence splitter does work in proportion to the length of a paragraph.

A captured page can be one paragraph of megabytes; a splitter that looks back over the whole
paragraph from every full stop would take hours on it. These tests count the characters the
splitter reads (no clock), and run a large paragraph in a child process with a generous
time-out that only an algorithm quadratic in the paragraph's length would reach.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from guidegraph.ingest import furniture
from guidegraph.ingest.sentences import split_sentences

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


def corpus_paragraph(chars: int) -> str:
    """One paragraph of ``chars`` characters made of the corpus's own content sentences, repeated."""
    lines = []
    for f in sorted(CORPUS.glob("*.txt")):
        for line in f.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if len(line) > 60 and line.endswith(".") and not furniture.line_furniture(line) \
                    and not furniture.starts_footer(line):
                lines.append(line)
    block = " ".join(lines) + " "
    return (block * (chars // len(block) + 1))[:chars]


class CountingText(str):
    """A text that counts the characters read through indexing and slicing."""

    read = 0

    def __getitem__(self, key):
        part = super().__getitem__(key)
        CountingText.read += len(part)
        return part


def characters_read(text: str) -> int:
    CountingText.read = 0
    split_sentences(CountingText(text))
    return CountingText.read


def test_the_splitter_reads_four_times_the_characters_for_a_paragraph_four_times_as_long():
    small = corpus_paragraph(20_000)
    large = corpus_paragraph(80_000)
    ratio = characters_read(large) / characters_read(small)
    # linear work gives about 4; looking back over the paragraph from every stop gives about 16
    assert ratio < 6, ratio


def test_a_long_paragraph_is_split_like_its_parts():
    block = corpus_paragraph(40_000)
    cut = block.rindex(". ", 0, 20_000) + 2  # a sentence boundary
    part = block[:cut]
    whole = part * 3
    one = [(s.start, s.end, s.text, [(m.start, m.end, m.number) for m in s.markers]) for s in split_sentences(part)]
    three = [(s.start, s.end, s.text, [(m.start, m.end, m.number) for m in s.markers]) for s in split_sentences(whole)]
    n = len(part)
    shifted = [(s + k * n, e + k * n, t, [(ms + k * n, me + k * n, num) for ms, me, num in m])
               for k in range(3) for s, e, t, m in one]
    assert three == shifted
    assert all(whole[s:e].startswith(t.split()[0]) for s, e, t, _ in three)


def test_a_two_megabyte_paragraph_is_split_well_within_a_generous_time_limit(tmp_path):
    source = tmp_path / "one-paragraph.txt"
    source.write_text(corpus_paragraph(2_000_000), encoding="utf-8")
    script = ("import sys; from guidegraph.ingest.sentences import split_sentences; "
              "text = open(sys.argv[1], encoding='utf-8').read(); print(len(split_sentences(text)))")
    # a linear splitter needs seconds; the quadratic one needed about 20 minutes for this
    result = subprocess.run([sys.executable, "-c", script, str(source)], cwd=ROOT, capture_output=True, text=True,
                            timeout=180)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) > 15_000


SHAPES = {
    "sentences run into each other": lambda n: "Abcd." * (n // 5),
    "initials": lambda n: "A. " * (n // 3),
    "full stops alone": lambda n: ". " * (n // 2),
    "a long list of numbers": lambda n: "see " + "1, " * (n // 3) + "2.",
    "numbers after a colon": lambda n: "include: " + "1, " * (n // 3) + "2",
}


@pytest.mark.parametrize("shape", SHAPES)
def test_unusual_paragraphs_are_also_read_in_proportion_to_their_length(shape):
    make = SHAPES[shape]
    ratio = characters_read(make(20_000)) / characters_read(make(5_000))
    assert ratio < 6, ratio
