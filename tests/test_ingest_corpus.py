"""Ingestion of the five default documents, against figures counted by hand (docs/corpus-figures.md)."""
from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

ESO = "oracle-esophageal-cancer-bone-metastases"
BREAST = "oracle-breast-cancer-bone-metastasis"
OSTEO = "oracle-osteoblastic-metastases"
ACS = "acs-treating-bone-metastases"
ICLINIQ = "icliniq-bone-metastasis-therapeutic-approaches"

# statements, sections, references: counted by hand for the three clinical summaries
# (docs/corpus-figures.md); the two prose pages by reading the sentence list once.
FIGURES = {
    ESO: (53, 11, 4),
    BREAST: (39, 13, 4),
    OSTEO: (36, 11, 4),
    ACS: (125, 16, 8),
    ICLINIQ: (124, 24, 0),
}
# markers per cited number, counted with an independent grep over the raw files
MARKERS_PER_NUMBER = {
    ESO: {1: 14, 2: 27, 3: 10, 4: 12, 5: 2, 6: 7, 7: 1},
    BREAST: {1: 30, 2: 1, 3: 6, 4: 7, 5: 2},
    OSTEO: {1: 25, 2: 3, 3: 7, 4: 1, 5: 8},
    ACS: {},
    ICLINIQ: {},
}


@pytest.mark.parametrize("slug", FIGURES)
def test_each_document_has_its_hand_counted_statements_sections_and_references(corpus_docs, slug):
    doc = corpus_docs[slug]
    assert (len(doc.statements), len(doc.sections), len(doc.references)) == FIGURES[slug]


@pytest.mark.parametrize("slug", MARKERS_PER_NUMBER)
def test_markers_per_number_match_the_hand_count(corpus_docs, slug):
    assert dict(Counter(m.number for m in corpus_docs[slug].markers)) == MARKERS_PER_NUMBER[slug]


def test_dangling_markers_are_exactly_the_numbers_without_a_reference_entry(corpus_docs):
    dangling = {slug: Counter(m.number for m in d.dangling_markers()) for slug, d in corpus_docs.items()}
    assert dangling[ESO] == {5: 2, 6: 7, 7: 1}
    assert dangling[BREAST] == {5: 2}
    assert dangling[OSTEO] == {5: 8}
    assert sum(sum(c.values()) for c in dangling.values()) == 20


def test_corpus_totals(corpus_docs):
    docs = corpus_docs.values()
    assert sum(len(d.statements) for d in docs) == 377
    assert sum(len(d.markers) for d in docs) == 163
    assert sum(len(d.references) for d in docs) == 20


def test_every_piece_quotes_its_raw_text_exactly(corpus_docs):
    for doc in corpus_docs.values():
        raw = doc.raw
        for st in doc.statements:
            quoted = raw[st.start:st.end]
            assert quoted and quoted == quoted.strip(), (doc.slug, st)
            for m in st.markers:
                assert raw[m.start:m.end] == m.content == str(m.number)
                assert st.start < m.start and m.end <= st.end
        for r in doc.references:
            assert raw[r.start:r.end] == r.content or r.content == ""
            assert r.title and r.title in raw[r.start:r.end]
        for s in doc.sections:
            assert raw[s.start:s.end].rstrip(":").strip() == s.heading
        for f in doc.furniture:
            assert raw[f.start:f.end].strip() == raw[f.start:f.end]
        for d in doc.dates:
            assert raw[d.start:d.end]


def test_statement_text_is_the_quote_without_its_markers(corpus_docs):
    doc = corpus_docs[ESO]
    st = next(s for s in doc.statements if s.text.startswith("Platinum/fluoropyrimidine doublet"))
    assert doc.raw[st.start:st.end].endswith("(ECOG 0-2). 1, 2")
    assert st.text.endswith("(ECOG 0-2).")
    assert [m.number for m in st.markers] == [1, 2]


def test_numbers_of_the_text_are_not_markers(corpus_docs):
    eso = corpus_docs[ESO]
    step = next(s for s in eso.statements if s.text == "Add zoledronic acid 4 mg IV every 3-4 weeks")
    assert [m.number for m in step.markers] == [3]
    limit = next(s for s in eso.statements if "<60 mL/min" in s.text)
    assert [m.number for m in limit.markers] == [3]
    sins = next(s for s in corpus_docs[OSTEO].statements if "unstable (≥13)" in s.text)
    assert [m.number for m in sins.markers] == [1]
    assert sins.text.endswith("or unstable (≥13)")
    acs_text = [s for s in corpus_docs[ACS].statements if "1 or 2" in s.text]
    assert len(acs_text) == 2 and all(not s.markers for s in acs_text)


def test_markers_before_the_full_stop_belong_to_their_sentence(corpus_docs):
    doc = corpus_docs[ESO]
    first = next(s for s in doc.statements if s.text.startswith("Alternative bone-directed therapy"))
    second = doc.statements[doc.statements.index(first) + 1]
    assert doc.raw[first.start:first.end].endswith("pain control 5.")
    assert second.text == "This is particularly useful when opioids are poorly tolerated."
    assert [m.number for m in first.markers] == [5] and [m.number for m in second.markers] == [5]


def test_marker_group_after_a_colon_belongs_to_the_lead_in(corpus_docs):
    doc = corpus_docs[BREAST]
    lead = next(s for s in doc.statements if s.text == "Favorable prognosis indicators include:")
    assert [m.number for m in lead.markers] == [3, 4]
    items = [s for s in doc.statements if s.lead_in == doc.statements.index(lead)]
    assert [s.text for s in items][0] == "Long disease-free interval from initial diagnosis"
    assert len(items) == 4


def test_numbered_steps_are_statements_with_their_step_number_and_no_marker_from_the_number(corpus_docs):
    doc = corpus_docs[ESO]
    steps = [s for s in doc.statements if s.block == "step"]
    assert [s.step_number for s in steps] == [1, 2, 3, 4, 1, 2, 3, 4]
    headings = {doc.sections[s.section].heading for s in steps}
    assert headings == {"Good performance status (ECOG 0-2)", "Poor performance status (ECOG 3-4)"}
    icliniq_steps = [s for s in corpus_docs[ICLINIQ].statements if s.block == "step"]
    assert len(icliniq_steps) == 5 and not any(s.markers for s in icliniq_steps)


def test_nested_bullets_point_to_their_parent(corpus_docs):
    doc = corpus_docs[OSTEO]
    parent = next(s for s in doc.statements if s.text == "Surgical intervention is indicated for:")
    children = [s.text for s in doc.statements if s.parent == doc.statements.index(parent)]
    assert children == [
        "Pathological fractures or impending fractures in weight-bearing bones",
        "Spinal instability (SINS score ≥13)",
        "Spinal cord compression with neurological deficits",
    ]


def test_colon_headings_and_heading_groups_nest_under_their_parent(corpus_docs):
    eso = {s.heading: s for s in corpus_docs[ESO].sections}
    parent = corpus_docs[ESO].sections[eso["Good performance status (ECOG 0-2)"].parent]
    assert parent.heading == "Treatment Algorithm by Performance Status"
    breast = corpus_docs[BREAST].sections
    by_name = {s.heading: s for s in breast}
    for sub in ("HR-Positive/HER2-Negative Disease (Most Common in Bone Metastases)", "HER2-Positive Disease",
                "Triple-Negative Disease"):
        assert breast[by_name[sub].parent].heading == "Systemic Therapy Selection by Tumor Subtype"
    assert by_name["Radiation Therapy for Bone Lesions"].parent is None
    faq = [s for s in corpus_docs[ICLINIQ].sections if s.parent is not None
           and corpus_docs[ICLINIQ].sections[s.parent].heading == "Frequently Asked Questions"]
    assert len(faq) == 15


def test_page_furniture_never_becomes_a_statement(corpus_docs):
    furniture_words = ["Personalize", "Help us tailor", "Which best describes you", "Article Review Status",
                       "View editorial policy", "Have a follow-up question", "Our Medical A.I.", "cookies",
                       "By subscribing", "1-800-", "to learn more", "Disclaimer", "copyrighted", "iCliniq logo",
                       "Medically reviewed by", "Our team is made up"]
    for doc in corpus_docs.values():
        for st in doc.statements:
            quoted = doc.raw[st.start:st.end]
            assert not any(w in quoted for w in furniture_words), (doc.slug, quoted)
    kinds = Counter(f.kind for d in corpus_docs.values() for f in d.furniture)
    assert {"review-widget", "prompt", "disclaimer", "navigation", "phone", "cookies", "copyright"} <= set(kinds)


def test_titles_publishers_kinds_and_stated_dates(corpus_docs):
    eso = corpus_docs[ESO]
    assert eso.title == ("What is the best treatment approach for a patient with esophageal cancer "
                         "that has metastasized to the bone?")
    assert eso.publisher == "Dr.Oracle (Medical Advisory Board)"
    assert eso.kind == "clinical summary"
    assert [(d.role, d.value) for d in eso.dates] == [("modified", date(2026, 2, 1))]
    acs = corpus_docs[ACS]
    assert acs.title == "Treating Bone Metastases" and acs.kind == "patient education"
    assert [(d.role, d.value) for d in acs.dates] == [("reviewed", date(2016, 12, 16)),
                                                      ("modified", date(2016, 12, 16))]
    icl = corpus_docs[ICLINIQ]
    assert icl.title.startswith("Overview of Therapeutic Approaches")
    assert [(d.role, d.value) for d in icl.dates] == [("issued", date(2023, 4, 26)), ("reviewed", date(2023, 4, 26))]
    assert corpus_docs[BREAST].dates[0].value == date(2025, 11, 22)
    assert corpus_docs[OSTEO].dates[0].value == date(2025, 11, 1)
    for d in corpus_docs.values():
        for sd in d.dates:
            assert sd.value.strftime("%B") in d.raw[sd.start:sd.end]


def test_three_line_references_are_numbered_by_position(corpus_docs):
    refs = corpus_docs[ESO].references
    assert [(r.number, r.reference_type, r.title, r.year) for r in refs] == [
        (1, "Guideline", "Treatment Strategies for Esophageal Cancer", 2025),
        (2, "Guideline", "Treatment of Esophageal Cancer with Metastases to Bronchus or Lung", 2025),
        (3, "Guideline", "Esophageal Cancer Treatment Guidelines", 2026),
        (4, "Guideline", "Guideline Directed Topic Overview", 2025),
    ]
    assert refs[3].publisher == "Dr.Oracle Medical Advisory Board & Editors"


def test_author_style_bibliography_is_read_at_the_end_of_a_page(corpus_docs):
    refs = corpus_docs[ACS].references
    assert [r.authors.split()[0] for r in refs] == ["Coleman", "Conway", "Finlay", "Howell", "Liu", "Ringe",
                                                    "Rosella", "Zugaro"]
    assert refs[0].title == "Bone metastasis" and refs[0].reference_type == "book chapter" and refs[0].year == 2014
    assert refs[2].title == "Radioisotopes for the palliation of metastatic bone cancer: a systematic review"
    assert refs[2].publisher == "Lancet Oncol" and refs[2].year == 2005
    assert all(not any(r.title in s.text for r in refs) for s in corpus_docs[ACS].statements)


def test_a_document_without_references_notes_it(corpus_docs):
    assert "no reference list found" in corpus_docs[ICLINIQ].notes
