"""Turn a ``Document`` into RDF triples in the public vocabulary (ontology/README.md).

IRIs are derived from the document's slug and the character offset or number of each
piece, so two builds of the same file give the same IRIs.
"""
from __future__ import annotations

from collections.abc import Iterator

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from guidegraph.model import Document
from guidegraph.namespaces import BIRO, C4O, CITO, GG, OA, SCHEMA, document_graph_iri, document_iri, statement_iri

Triple = tuple[URIRef, URIRef, URIRef | Literal]

# how much text around a quote a TextQuoteSelector keeps as prefix and suffix
QUOTE_CONTEXT = 32
_DATE_PROPERTY = {"modified": DCTERMS.modified, "issued": DCTERMS.issued, "reviewed": SCHEMA.lastReviewed}
# the concepts of the gg:Strength and gg:MentionRoles schemes, by the names annotation gives them
_STRENGTH = {"contraindicated": GG.strengthContraindicated, "avoid": GG.strengthAvoid, "caution": GG.strengthCaution,
             "allow": GG.strengthAllow, "consider": GG.strengthConsider, "prefer": GG.strengthPrefer,
             "recommend": GG.strengthRecommend, "require": GG.strengthRequire, "dose-adjust": GG.strengthDoseAdjust}
_ROLE = {"recommendedAction": GG.RecommendedAction, "comparator": GG.Comparator, "outcome": GG.OutcomeRole,
         "adverseEvent": GG.AdverseEventRole, "precondition": GG.Precondition, "priorTreatment": GG.PriorTreatment,
         "population": GG.PopulationRole, "teamMember": GG.TeamMember}


def _int(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)


def _span(node: URIRef, start: int, end: int) -> Iterator[Triple]:
    """Yield the offsets of a piece of the raw text: ``raw[start:end]``."""
    yield node, GG.start, _int(start)
    yield node, GG.end, _int(end)


def _part(owner: URIRef, prop: URIRef, name: str, part, cls: URIRef) -> Iterator[Triple]:
    """Yield a directive's or belief's part: its words, their offsets and the concept they name."""
    node = URIRef(f"{owner}/{name}")
    yield owner, prop, node
    yield node, RDF.type, cls
    yield node, GG.asWritten, Literal(part.text)
    yield from _span(node, part.start, part.end)
    if part.concept is not None:
        yield node, GG.partConcept, part.concept


def _dec(value: float) -> Literal:
    # the canonical form Oxigraph keeps ("5", "2.5"), so a graph reads back as it was written
    text = repr(float(value))
    return Literal(text[:-2] if text.endswith(".0") else text, datatype=XSD.decimal)


def document_triples(doc: Document) -> Iterator[Triple]:
    """Yield every triple that the document asserts about itself and its content."""
    d = document_iri(doc.slug)
    yield d, RDF.type, GG.GuidelineDocument
    yield d, GG.sourceFile, Literal(doc.source_file)
    yield d, GG.rawText, Literal(doc.raw)
    yield d, GG.sha256, Literal(doc.sha256)
    if doc.title:
        yield d, DCTERMS.title, Literal(doc.title)
    if doc.publisher:
        yield d, DCTERMS.publisher, Literal(doc.publisher)
    if doc.kind:
        yield d, GG.documentKind, Literal(doc.kind)
    latest: dict[str, object] = {}
    for sd in doc.dates:
        latest[sd.role] = max(sd.value, latest.get(sd.role, sd.value))
        node = URIRef(f"{d}/date/{sd.start}")
        yield d, GG.statedDate, node
        yield node, RDF.type, GG.StatedDate
        yield node, GG.dateRole, Literal(sd.role)
        yield node, RDF.value, Literal(sd.value, datatype=XSD.date)
        yield from _span(node, sd.start, sd.end)
    for role, value in latest.items():
        yield d, _DATE_PROPERTY[role], Literal(value, datatype=XSD.date)

    section_iris = [URIRef(f"{d}/section/{s.start}") for s in doc.sections]
    for s, si in zip(doc.sections, section_iris, strict=True):
        yield si, RDF.type, GG.Section
        yield si, DCTERMS.isPartOf, d
        yield si, GG.heading, Literal(s.heading)
        yield si, GG.order, _int(s.order)
        yield si, GG.level, _int(s.level)
        yield from _span(si, s.start, s.end)
        if s.parent is not None:
            yield si, GG.parentSection, section_iris[s.parent]

    refs = {r.number: URIRef(f"{d}/reference/{r.number}") for r in doc.references}
    for r in doc.references:
        ri = refs[r.number]
        yield ri, RDF.type, BIRO.BibliographicReference
        yield ri, DCTERMS.isPartOf, d
        yield ri, GG.number, _int(r.number)
        yield ri, C4O.hasContent, Literal(doc.raw[r.start:r.end])
        yield from _span(ri, r.start, r.end)
        if r.title:
            yield ri, DCTERMS.title, Literal(r.title)
        if r.publisher:
            yield ri, DCTERMS.publisher, Literal(r.publisher)
        if r.year:
            yield ri, DCTERMS.date, Literal(str(r.year), datatype=XSD.gYear)
        if r.reference_type:
            yield ri, GG.referenceType, Literal(r.reference_type)
        if r.authors:
            yield ri, DCTERMS.creator, Literal(r.authors)

    st_iris = [statement_iri(doc, st) for st in doc.statements]
    for st, ti in zip(doc.statements, st_iris, strict=True):
        yield ti, RDF.type, GG.Statement
        yield ti, DCTERMS.isPartOf, d
        yield ti, PROV.wasQuotedFrom, d
        yield ti, GG.order, _int(st.order)
        yield ti, GG.text, Literal(st.text)
        yield from _span(ti, st.start, st.end)
        yield ti, GG.blockKind, Literal(st.block)
        if st.depth:
            yield ti, GG.depth, _int(st.depth)
        if st.section is not None:
            yield ti, GG.inSection, section_iris[st.section]
        if st.parent is not None:
            yield ti, GG.parentItem, st_iris[st.parent]
        if st.lead_in is not None:
            yield ti, GG.leadIn, st_iris[st.lead_in]
        if st.step_number is not None:
            yield ti, GG.stepNumber, _int(st.step_number)
        yield from _anchor(doc, d, ti, st.start, st.end)
        cited = set()
        for m in st.markers:
            mi = URIRef(f"{d}/marker/{m.start}")
            yield mi, RDF.type, C4O.InTextReferencePointer
            yield mi, GG.citedBy, ti
            yield mi, C4O.hasContent, Literal(m.content)
            yield mi, GG.number, _int(m.number)
            yield from _span(mi, m.start, m.end)
            if m.number in refs:
                yield mi, C4O.denotes, refs[m.number]
                if m.number not in cited:
                    cited.add(m.number)
                    yield ti, CITO.citesAsEvidence, refs[m.number]

    for f in doc.furniture:
        fi = URIRef(f"{d}/furniture/{f.start}")
        yield fi, RDF.type, GG.PageFurniture
        yield fi, DCTERMS.isPartOf, d
        yield fi, GG.furnitureKind, Literal(f.kind)
        yield from _span(fi, f.start, f.end)


def _anchor(doc: Document, d: URIRef, body: URIRef, start: int, end: int) -> Iterator[Triple]:
    """Yield a W3C Web Annotation tying ``body`` to ``raw[start:end]`` of the document."""
    a = URIRef(f"{body}/anchor")
    target = URIRef(f"{a}/target")
    pos = URIRef(f"{a}/position")
    quote = URIRef(f"{a}/quote")
    yield a, RDF.type, OA.Annotation
    yield a, OA.hasBody, body
    yield a, OA.hasTarget, target
    yield target, RDF.type, OA.SpecificResource
    yield target, OA.hasSource, d
    yield target, OA.hasSelector, pos
    yield target, OA.hasSelector, quote
    yield pos, RDF.type, OA.TextPositionSelector
    yield pos, OA.start, _int(start)
    yield pos, OA.end, _int(end)
    yield quote, RDF.type, OA.TextQuoteSelector
    yield quote, OA.exact, Literal(doc.raw[start:end])
    yield quote, OA.prefix, Literal(doc.raw[max(0, start - QUOTE_CONTEXT):start])
    yield quote, OA.suffix, Literal(doc.raw[end:end + QUOTE_CONTEXT])


def document_graph(doc: Document, annotation=None) -> Graph:
    """Return the document's named graph as an rdflib Graph (with its annotations when given)."""
    g = Graph(identifier=document_graph_iri(doc.slug))
    for t in document_triples(doc):
        g.add(t)
    if annotation is not None:
        for t in annotation_triples(doc, annotation):
            g.add(t)
    return g


def annotation_triples(doc: Document, ann) -> Iterator[Triple]:
    """Yield the triples of a document's annotations (graph/annotate.py)."""
    d = document_iri(doc.slug)
    st_iris = [statement_iri(doc, st) for st in doc.statements]
    for i, st in enumerate(doc.statements):
        ti = st_iris[i]
        mod = ann.modality.get(i, "inform")
        yield ti, RDF.type, GG.Claim if mod == "inform" else GG.Recommendation
        yield ti, GG.modality, GG[mod]
        for c in ann.interventions.get(i, []):
            yield ti, GG.aboutIntervention, c
        if i in ann.primary:
            yield ti, GG.primaryIntervention, ann.primary[i]
        for k, s in enumerate(ann.schedules.get(i, [])):
            node = URIRef(f"{d}/dose/{s.start}-{k}")
            yield ti, GG.doseSchedule, node
            yield node, RDF.type, SCHEMA.DoseSchedule
            yield node, GG.drug, s.drug
            yield node, GG.asWritten, Literal(s.as_written)
            yield from _span(node, s.start, s.end)
            yield node, GG.inStatement, ti
            if s.value is not None:
                yield node, SCHEMA.doseValue, _dec(s.value)
            if s.value_max is not None:
                yield node, GG.doseValueMax, _dec(s.value_max)
            if s.unit:
                yield node, SCHEMA.doseUnit, Literal(s.unit)
            if s.route:
                yield node, GG.route, Literal(s.route)
            if s.frequency:
                yield node, SCHEMA.frequency, Literal(s.frequency)
            if s.interval_min is not None:
                yield node, GG.intervalDaysMin, _dec(s.interval_min)
                yield node, GG.intervalDaysMax, _dec(s.interval_max)
            if s.infusion_minutes is not None:
                yield node, GG.infusionMinutes, _dec(s.infusion_minutes)
            if s.fractions:
                yield node, GG.fractions, Literal(s.fractions)
            if s.comparator:
                yield node, GG.comparator, Literal(s.comparator)
        for c in ann.population.get(i, []):
            node = yield from _criterion(d, c)
            yield ti, GG.population, node
            yield node, GG.inStatement, ti
        # the situation of the section (and the sections above) applies to its statements
        for c in _section_conditions(doc, st.section, ann):
            yield ti, GG.population, _criterion_iri(d, c)
    for c in ann.topics:
        yield d, GG.topic, c
    for i, scope in ann.scope.items():
        for c in scope:
            yield st_iris[i], GG.scope, c
        for c in ann.scope_within.get(i, []):
            yield st_iris[i], GG.scopeWithin, c
    for i, (interventions, situations) in sorted(ann.poor_effect.items()):
        for c in interventions:
            yield st_iris[i], GG.poorEffectOf, c
        for c in situations:
            yield st_iris[i], GG.situation, c
    for i in sorted(ann.combinations):
        yield st_iris[i], GG.combinesInterventions, Literal(True)
    for i, c in sorted(getattr(ann, "context_actions", {}).items()):
        yield st_iris[i], GG.contextAction, c
    for t in ann.timing:
        node = URIRef(f"{d}/timing/{t.start}")
        yield node, RDF.type, GG.TimingConstraint
        yield node, GG.inStatement, st_iris[t.statement]
        yield node, GG.asWritten, Literal(doc.raw[t.start:t.end])
        yield from _span(node, t.start, t.end)
        yield node, GG.minimumGapDays, _int(t.days)
        for c in t.earlier:
            yield node, GG.earlier, c
        for c in t.later:
            yield node, GG.later, c
    for k, concepts in ann.reference_concepts.items():
        for c in concepts:
            yield URIRef(f"{d}/reference/{doc.references[k].number}"), GG.mentions, c
    yield from _citation_triples(doc, d, st_iris, ann.citations)
    for m in ann.mentions:
        node = URIRef(f"{d}/mention/{m.start}")
        ti = st_iris[m.statement]
        yield ti, GG.mentions, m.concept
        yield node, RDF.type, GG.Mention
        yield node, GG.concept, m.concept
        yield node, GG.inStatement, ti
        yield from _span(node, m.start, m.end)
        yield node, GG.asWritten, Literal(doc.raw[m.start:m.end])
        if m.start in ann.roles:
            yield node, GG.role, _ROLE[ann.roles[m.start]]
    for i, found in sorted(ann.directives.items()):
        yield from _directive_triples(doc, d, st_iris[i], found, ann)
    yield from _belief_triples(doc, d, st_iris, ann)
    for criteria in ann.section_criteria.values():
        for c in criteria:
            yield from _criterion(d, c)
    for p in ann.pathways:
        sec = doc.sections[p.section]
        pi = URIRef(f"{d}/pathway/{sec.start}")
        yield pi, RDF.type, GG.Pathway
        yield pi, DCTERMS.isPartOf, d
        yield pi, RDFS.label, Literal(p.label)
        yield pi, GG.inSection, URIRef(f"{d}/section/{sec.start}")
        yield pi, GG.pathwayKind, Literal(p.kind)
        for c in p.conditions:
            yield pi, GG.condition, _criterion_iri(d, c)
        previous = None
        for n, i in enumerate(p.steps, start=1):
            step = URIRef(f"{pi}/step/{n}")
            yield step, RDF.type, GG.PathwayStep
            yield step, GG.inPathway, pi
            yield step, GG.stepNumber, _int(n)
            yield step, GG.statement, st_iris[i]
            for c in p.conditions:
                yield step, GG.condition, _criterion_iri(d, c)
            if previous is not None:
                yield previous, GG.nextStep, step
            previous = step


def _citation_triples(doc: Document, d: URIRef, st_iris: list[URIRef], cit) -> Iterator[Triple]:
    """Yield what the citation checks read (graph/annotate/citations.py): title mentions, the
    reference's publisher and title judgements, and the figures statements claim."""
    def ref(k: int) -> URIRef:
        return URIRef(f"{d}/reference/{doc.references[k].number}")

    for m in cit.title_mentions:
        node = URIRef(f"{d}/title-mention/{m.start}")
        yield ref(m.reference), GG.titleMention, node
        yield node, RDF.type, GG.TitleMention
        yield node, GG.titleConcept, m.concept
        yield node, GG.asWritten, Literal(doc.raw[m.start:m.end])
        yield from _span(node, m.start, m.end)
    for k in sorted(cit.own_publisher):
        yield ref(k), GG.publishedByDocumentPublisher, Literal(True)
    for k in sorted(cit.generic_title):
        yield ref(k), GG.genericTitle, Literal(True)
    for k, concepts in sorted(cit.off_topic.items()):
        for c in concepts:
            yield ref(k), GG.unsharedTopic, c
    for f in cit.figures:
        node = URIRef(f"{d}/figure/{f.start}")
        yield st_iris[f.statement], GG.clinicalFigure, node
        yield node, RDF.type, GG.ClinicalFigure
        yield node, GG.asWritten, Literal(doc.raw[f.start:f.end])
        yield from _span(node, f.start, f.end)


def _directive_iri(d: URIRef, x, found) -> URIRef:
    """Return a directive's IRI: keyed by the words naming its action; a plural anaphor ("both of these types")
    names several actions with the same words, each then also keyed by its antecedent's words."""
    if x.antecedent is not None and sum(1 for y in found if y.action_start == x.action_start) > 1:
        return URIRef(f"{d}/directive/{x.action_start}-{x.antecedent.start}")
    return URIRef(f"{d}/directive/{x.action_start}")


def _directive_triples(doc: Document, d: URIRef, ti: URIRef, found, ann) -> Iterator[Triple]:
    """Yield a statement's directives (graph/annotate/directives.py), each part a node with its offsets."""
    st = doc.statements[found[0].statement]
    criteria = [_criterion_iri(d, c) for c in [*ann.population.get(found[0].statement, []),
                                               *_section_conditions(doc, st.section, ann)]]
    for x in found:
        di = _directive_iri(d, x, found)
        yield ti, GG.directive, di
        yield di, RDF.type, GG.Directive
        yield di, GG.inStatement, ti
        yield di, GG.action, x.action
        if x.antecedent is None:
            yield di, GG.actionMention, URIRef(f"{d}/mention/{x.action_start}")
        else:
            # an anaphor names the action: the words it stands for, with their offsets
            yield from _part(di, GG.antecedent, "antecedent", x.antecedent, GG.BeliefPart)
        yield di, GG.strength, _STRENGTH[x.strength]
        yield from _span(di, x.action_start, x.action_end)
        parts = [(GG.appliesTo, "population", x.population), (GG.purpose, "purpose", x.purpose),
                 (GG.preferredOver, "preferred-over", x.preferred_over),
                 *((GG.timing, f"timing/{t.start}", t) for t in x.timing)]
        for prop, name, part in parts:
            if part is None:
                continue
            yield from _part(di, prop, name, part, GG.DirectivePart)
            if prop == GG.appliesTo:
                for c in criteria:
                    yield URIRef(f"{di}/{name}"), GG.populationCriterion, c


_EFFECT = {"prevents": GG.effectPrevents, "delays": GG.effectDelays, "reduces": GG.effectReduces,
           "relieves": GG.effectRelieves, "improves": GG.effectImproves, "causes": GG.effectCauses,
           "works-poorly": GG.effectWorksPoorly, "no-effect": GG.effectNoEffect}
_SAFETY = {"safe": GG.safetyIn, "caution": GG.cautionIn, "cannot-be-given": GG.cannotBeGivenIn,
           "dose-adjust": GG.doseAdjustedIn, "only-if": GG.givenOnlyIn}


def _belief_triples(doc: Document, d: URIRef, st_iris: list[URIRef], ann) -> Iterator[Triple]:
    """Yield the beliefs and safety statements (graph/annotate/beliefs.py) and the hedges of every statement, each
    part a node with its offsets; a hedge is linked from every directive and belief of its statement."""
    starts = {m.start for m in ann.mentions}
    hedges: dict[int, list[URIRef]] = {}
    for i, found in sorted(getattr(ann, "hedges", {}).items()):
        for h in found:
            node = URIRef(f"{d}/hedge/{h.start}")
            hedges.setdefault(i, []).append(node)
            yield node, RDF.type, GG.Hedge
            yield node, GG.asWritten, Literal(h.text)
            yield from _span(node, h.start, h.end)
    for i, found in sorted(ann.directives.items()):
        for x in found:
            for h in hedges.get(i, []):
                yield _directive_iri(d, x, found), GG.hedge, h
    # a belief is named by its effect word; joined subjects ("X or Y can …") share it, each then also by its action's
    # words (an anaphor's beliefs by their antecedent's)
    claims = [(f"belief/{b.effect_start}" if sum(1 for c in found if c.effect_start == b.effect_start) == 1
               else f"belief/{b.effect_start}-{b.antecedent.start if b.antecedent else b.action_start}", b)
              for found in getattr(ann, "beliefs", {}).values() for b in found] + \
             [(f"safety/{x.condition.start}", x) for found in getattr(ann, "safety", {}).values() for x in found]
    for name, x in claims:
        if x.action is None:
            continue
        bi, ti = URIRef(f"{d}/{name}"), st_iris[x.statement]
        yield ti, GG.belief, bi
        yield bi, RDF.type, GG.Belief
        yield bi, GG.inStatement, ti
        yield bi, GG.action, x.action
        if x.action_start in starts:
            yield bi, GG.actionMention, URIRef(f"{d}/mention/{x.action_start}")
        yield from _span(bi, x.action_start, x.action_end)
        for h in hedges.get(x.statement, []):
            yield bi, GG.hedge, h
        if hasattr(x, "effect"):
            yield bi, GG.effect, _EFFECT[x.effect]
            parts = [(GG.outcome, "outcome", x.outcome)]
            if x.comparator is not None:
                yield bi, GG.comparison, Literal(x.comparison)
                parts.append((GG.comparedWith, "compared-with", x.comparator))
            for f in x.figures:
                node = URIRef(f"{bi}/figure/{f.start}")
                yield bi, GG.figure, node
                yield node, RDF.type, GG.ResultFigure
                yield node, GG.asWritten, Literal(f.text)
                yield node, GG.figureKind, Literal(f.kind)
                if f.value is not None:
                    yield node, GG.figureValue, _dec(f.value)
                if f.low is not None:
                    yield node, GG.figureLow, _dec(f.low)
                yield from _span(node, f.start, f.end)
        else:
            parts = [(_SAFETY[x.strength], "condition", x.condition)]
        parts.append((GG.antecedent, "antecedent", x.antecedent))
        for prop, part_name, part in parts:
            if part is not None:
                yield from _part(bi, prop, part_name, part, GG.BeliefPart)


def _section_conditions(doc: Document, section, ann):
    from guidegraph.annotate.pathways import section_conditions

    return section_conditions(doc, section, ann.section_criteria) if section is not None else []


def _criterion_iri(d: URIRef, c) -> URIRef:
    return URIRef(f"{d}/criterion/{c.start}-{str(c.concept).rsplit('#', 1)[-1]}")


def _criterion(d: URIRef, c):
    node = _criterion_iri(d, c)
    yield node, RDF.type, GG.PopulationCriterion
    yield node, GG.criterion, c.concept
    yield node, GG.comparator, Literal(c.comparator)
    yield node, GG.asWritten, Literal(c.as_written)
    yield from _span(node, c.start, c.end)
    if c.min_value is not None:
        yield node, GG.minValue, _dec(c.min_value)
    if c.max_value is not None:
        yield node, GG.maxValue, _dec(c.max_value)
    if c.unit:
        yield node, GG.unit, Literal(c.unit)
    return node
