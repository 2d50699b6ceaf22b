"""Sentence splitting and citation markers: hand-picked cases and generated documents."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guidegraph.ingest.document import ingest_text
from guidegraph.ingest.sentences import split_sentences


def _split(text):
    return [(s.text, [m.number for m in s.markers]) for s in split_sentences(text)]


def test_markers_after_the_full_stop_then_a_new_sentence():
    assert _split("Doublet chemotherapy is the backbone (ECOG 0-2). 1, 2 The standard regimens include:") == [
        ("Doublet chemotherapy is the backbone (ECOG 0-2).", [1, 2]),
        ("The standard regimens include:", []),
    ]


def test_markers_before_the_full_stop():
    assert _split("It may be repeated every 3 months for pain control 5. This helps 5.") == [
        ("It may be repeated every 3 months for pain control.", [5]),
        ("This helps.", [5]),
    ]


def test_ranges_thresholds_and_counted_things_are_not_markers():
    assert _split("Give it every 3-4 weeks 3") == [("Give it every 3-4 weeks", [3])]
    assert _split("Adjust if creatinine clearance <60 mL/min 3") == [("Adjust if creatinine clearance <60 mL/min", [3])]
    assert _split("Unstable lesions (≥13) 1, 3") == [("Unstable lesions (≥13)", [1, 3])]
    assert _split("It may be used if only 1 or 2 bone tumors are causing problems.")[0][1] == []
    assert _split("The dose is repeated every 4")[0][1] == []
    assert _split("Patients with a Mirels score of 9")[0][1] == []
    assert _split("Published in 2014")[0][1] == []


def test_abbreviations_and_decimals_do_not_end_a_sentence():
    assert _split("Use e.g. denosumab vs. zoledronic acid at 12.3 mg. Dr. Smith agrees.") == [
        ("Use e.g. denosumab vs. zoledronic acid at 12.3 mg.", []),
        ("Dr. Smith agrees.", []),
    ]


def test_a_missing_space_after_a_full_stop_still_ends_the_sentence():
    assert [t for t, _ in _split("Most patients suffer from bone pain.Initially, analgesics were used.")] == [
        "Most patients suffer from bone pain.", "Initially, analgesics were used."]


def test_a_marker_group_after_a_colon_ends_a_lead_in():
    expected = [("Favorable prognosis indicators include:", [3, 4])]
    assert _split("Favorable prognosis indicators include: 3, 4") == expected


def test_offsets_are_absolute():
    text = "xxxx Heparin helps 2. Then stop."
    sentences = split_sentences(text[5:], base=5)
    assert text[sentences[0].start:sentences[0].end] == "Heparin helps 2."
    assert text[sentences[0].markers[0].start] == "2"


# -- generated documents ----------------------------------------------------------------------
WORDS = ["therapy", "patients", "bone", "lesions", "should", "receive", "radiation", "agents", "with", "pain",
         "relief", "denosumab", "surgery", "fracture", "risk", "care", "dose", "the", "and", "metastatic"]
TEXT_NUMBERS = ["every 3-4 weeks", "<60 mL/min", "(ECOG 0-2)", "(≥13)", "for 12.3 months", "in 80% of cases",
                "4 mg IV", "every 3 months", "after 2 years"]
HEAD_WORDS = ["Bone", "Therapy", "Management", "Radiation", "Surgical", "Care", "Systemic", "Follow-up"]

markers = st.lists(st.integers(1, 12), min_size=1, max_size=3, unique=True).map(sorted)


@st.composite
def sentence(draw):
    words = draw(st.lists(st.sampled_from(WORDS), min_size=2, max_size=8))
    if draw(st.booleans()):
        words.insert(draw(st.integers(0, len(words))), draw(st.sampled_from(TEXT_NUMBERS)))
    words.append(draw(st.sampled_from(["pain", "care", "therapy", "relief", "disease"])))
    gap = draw(st.sampled_from([" ", " ", "\u00a0"]))
    first = draw(st.sampled_from(["Denosumab", "Radiation", "Surgery", "Patients", "É possible"]))
    body = first + " " + gap.join(words)
    style = draw(st.sampled_from(["none", "before", "after"]))
    nums = draw(markers) if style != "none" else []
    group = ", ".join(map(str, nums))
    if style == "before":
        return f"{body} {group}.", nums
    if style == "after":
        return f"{body}. {group}", nums
    return f"{body}.", nums


@st.composite
def document(draw):
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    lines = ["Generated Guideline Title", ""]
    expected = []  # (kind, markers) in reading order
    for _ in range(draw(st.integers(1, 4))):
        lines += [" ".join(draw(st.lists(st.sampled_from(HEAD_WORDS), min_size=2, max_size=4, unique=True))), ""]
        for _ in range(draw(st.integers(1, 3))):
            kind = draw(st.sampled_from(["paragraph", "bullets", "steps"]))
            if kind == "paragraph":
                sentences = draw(st.lists(sentence(), min_size=1, max_size=3))
                lines += [" ".join(s for s, _ in sentences), ""]
                expected += [("paragraph", m) for _, m in sentences]
            else:
                items = draw(st.lists(sentence(), min_size=1, max_size=4))
                for k, (s, m) in enumerate(items, start=1):
                    deeper = kind == "bullets" and k > 1 and draw(st.booleans())
                    prefix = ("    • " if deeper else "  • ") if kind == "bullets" else f"  {k}. "
                    lines.append(prefix + s)
                    expected.append(("bullet" if kind == "bullets" else "step", m))
                lines.append("")
    n_refs = draw(st.integers(0, 5))
    if n_refs:
        lines += ["References", ""]
        for r in range(n_refs):
            lines += ["Guideline", "", f"Generated Reference Title {r}", "", f"Some Publisher, {2000 + r}", ""]
    return eol.join(lines), expected, n_refs


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document())
def test_generated_documents_keep_offsets_statements_and_markers_exact(generated):
    raw, expected, n_refs = generated
    doc = ingest_text(raw, "generated.txt")
    assert [(s.block, [m.number for m in s.markers]) for s in doc.statements] == expected
    for s in doc.statements:
        quoted = raw[s.start:s.end]
        assert quoted == quoted.strip() and "\r" not in quoted
        for m in s.markers:
            assert raw[m.start:m.end] == str(m.number)
    assert len(doc.references) == n_refs
    for r in doc.references:
        assert raw[r.start:r.end].startswith("Guideline")
    assert {m.number for m in doc.dangling_markers()} == {m.number for m in doc.markers if m.number > n_refs}
