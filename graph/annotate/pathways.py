"""Treatment pathways: ordered steps for a patient situation.

Two shapes in guideline pages become pathways: numbered steps under a heading that names the
situation ("Good performance status (ECOG 0-2): 1. … 2. …"), and sections for a subtype
("HER2-Positive Disease") whose recommendations are the steps in reading order. The
situation is the population criteria of the section's heading and of the headings above it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from guidegraph.annotate.population import distinct
from guidegraph.model import Document

ACTIONS = {"recommend", "prefer", "require", "consider"}


@dataclass
class Pathway:
    """An ordered list of statements (by index) for the situation of one section."""

    section: int
    label: str
    steps: list[int]
    conditions: list = field(default_factory=list)  # Criterion objects
    kind: str = "numbered steps"


def section_conditions(doc: Document, section: int | None, section_criteria: dict) -> list:
    """Return the criteria of a section's heading and of every heading above it."""
    out = []
    while section is not None:
        out = list(section_criteria.get(section, [])) + out
        section = doc.sections[section].parent
    return distinct(out)


def pathways(doc: Document, modality: dict[int, str], section_criteria: dict) -> list[Pathway]:
    """Return the pathways of a document, one per section that has a situation and steps."""
    out = []
    for k, sec in enumerate(doc.sections):
        members = [i for i, st in enumerate(doc.statements) if st.section == k]
        steps = [i for i in members if doc.statements[i].block == "step" and doc.statements[i].depth == 0
                 and modality.get(i) in ACTIONS]
        conditions = section_conditions(doc, k, section_criteria)
        if len(steps) >= 2:
            out.append(Pathway(k, sec.heading, steps, conditions, "numbered steps"))
        elif conditions:
            recs = [i for i in members if modality.get(i) in ACTIONS and doc.statements[i].depth == 0]
            if recs:
                out.append(Pathway(k, sec.heading, recs, conditions, "subtype section"))
    return out
