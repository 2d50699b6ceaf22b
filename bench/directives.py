"""Score the directives annotation reads against the hand-labelled gold (tests/data/directives-gold.tsv).

``python -m bench.directives`` prints, for the dev and held-out parts, precision and recall of
each field of a directive (action, strength, purpose, preferred-over) and the accuracy of the
mention roles, for the current model and for the one before directives ("before": the action is
each ``gg:aboutIntervention`` mention, the strength the modality).

Matching, statement by statement (a gold statement and an annotated one overlap):
- action: a predicted action's words overlap a gold directive's action words;
- strength: an action matched as above with the same strength on the ladder;
- purpose, preferred-over: the statement's predicted and gold phrases share a content word;
- role: every intervention mention of a gold statement is a recommended action exactly when its
  words overlap a gold directive's action words.
Gold rows whose action has no words in the statement (an elliptical item) are not counted.
"""
from __future__ import annotations

import argparse
import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "data" / "directives-gold.tsv"
FIELDS = ("action", "strength", "purpose", "preferred-over")


@dataclass(frozen=True)
class Predicted:
    """One directive as a model reads it: the action's words, its strength, purpose and alternative."""

    start: int
    end: int
    strength: str
    purpose: str = ""
    preferred_over: str = ""


def read_gold(path: Path = GOLD) -> list[dict]:
    """Return the gold rows as dictionaries of the file's columns."""
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


_STOP = {"with", "from", "that", "this", "than", "over", "risk", "their", "the", "for"}


def _words(text: str) -> set[str]:
    return {w[:5] for w in re.findall(r"[a-z]{4,}", text.lower()) if w not in _STOP}


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def predictions(doc, ann, vocab, model: str = "directives"):
    """Return, by statement index, the predicted directives and the intervention mentions' roles.

    ``model`` "before" reads what annotation gave before directives existed.
    """
    directives: dict[int, list[Predicted]] = defaultdict(list)
    roles: dict[int, list[tuple[int, int, bool]]] = defaultdict(list)
    for m in ann.mentions:
        if not vocab.in_branch(m.concept, "intervention"):
            continue
        if model == "before":
            is_action = (ann.modality.get(m.statement) != "inform"
                         and m.concept in ann.interventions.get(m.statement, []))
            if is_action:
                directives[m.statement].append(Predicted(m.start, m.end, ann.modality[m.statement]))
        else:
            is_action = ann.roles.get(m.start) == "recommendedAction"
        roles[m.statement].append((m.start, m.end, is_action))
    if model != "before":
        for i, found in ann.directives.items():
            for d in found:
                directives[i].append(Predicted(d.action_start, d.action_end, d.strength,
                                               d.purpose.text if d.purpose else "",
                                               d.preferred_over.text if d.preferred_over else ""))
    return directives, roles


def score(docs: dict, annotations: dict, vocab, model: str = "directives", gold: list[dict] | None = None) -> dict:
    """Return, by part, the counts and figures of every field: {part: {field: (p, r)}, "role": accuracy}."""
    gold = read_gold() if gold is None else gold
    counts: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0, 0]))
    role_counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for row in gold:
        by_doc[row["doc"]].append(row)
    for slug, rows in by_doc.items():
        doc, ann = docs[slug], annotations[slug]
        predicted, roles = predictions(doc, ann, vocab, model)
        for i, st in enumerate(doc.statements):
            here = [r for r in rows if _overlap((int(r["stmt_start"]), int(r["stmt_end"])), (st.start, st.end))]
            if not here:
                continue
            part = here[0]["part"]
            c = counts[part]
            wanted = [r for r in here if r["type"] == "directive"]
            spans = [(int(r["action_start"]), int(r["action_end"]), r) for r in wanted if r["action_start"]]
            got = predicted.get(i, [])
            # [true positives of precision, predicted, true positives of recall, gold]
            for field, strict in (("action", False), ("strength", True)):
                def hit(p, s, strict=strict):
                    return _overlap((p.start, p.end), s[:2]) and (not strict or p.strength == s[2]["strength"])
                c[field][0] += sum(any(hit(p, s) for s in spans) for p in got)
                c[field][1] += len(got)
                c[field][2] += sum(any(hit(p, s) for p in got) for s in spans)
                c[field][3] += len(spans)
            for field, column, attr in (("purpose", "purpose", "purpose"),
                                        ("preferred-over", "preferred_over", "preferred_over")):
                gold_phrases = {r[column] for r in wanted if r[column]}
                got_phrases = {getattr(p, attr) for p in got if getattr(p, attr)}
                c[field][0] += sum(any(_words(g) & _words(p) for g in gold_phrases) for p in got_phrases)
                c[field][1] += len(got_phrases)
                c[field][2] += sum(any(_words(g) & _words(p) for p in got_phrases) for g in gold_phrases)
                c[field][3] += len(gold_phrases)
            for start, end, is_action in roles.get(i, []):
                truth = any(_overlap((start, end), s[:2]) for s in spans)
                role_counts[part][0] += truth == is_action
                role_counts[part][1] += 1
    out = {}
    for part in sorted(counts):
        c = counts[part]
        out[part] = {f: (c[f][0] / c[f][1] if c[f][1] else 0.0, c[f][2] / c[f][3] if c[f][3] else 0.0) for f in FIELDS}
        out[part]["role"] = role_counts[part][0] / role_counts[part][1] if role_counts[part][1] else 0.0
    return out


CLAIM_FIELDS = ("belief action", "effect", "outcome", "figure", "safety action", "condition", "safety strength",
                "hedge")


@dataclass(frozen=True)
class Claimed:
    """One belief or safety statement as a model reads it: the action's words and label, and what it claims."""

    kind: str  # "belief" or "safety"
    start: int
    end: int
    label: str
    effect: str = ""  # a belief's effect, a safety statement's strength
    outcome: str = ""  # a belief's outcome, a safety statement's condition
    figures: tuple[str, ...] = ()


def claim_predictions(doc, ann, vocab, model: str = "directives"):
    """Return, by statement index, the predicted beliefs and safety statements, and the hedges' words.

    ``model`` "before" reads what annotation gave before beliefs: a poor effect of an intervention
    (``Annotation.poor_effect``) as a works-poorly belief, and no hedges.
    """
    claims: dict[int, list[Claimed]] = defaultdict(list)
    hedged: dict[int, list[str]] = defaultdict(list)

    def label(c):
        return str(vocab.label(c)) if c is not None else ""

    if model == "before":
        for i, (actions, _situations) in ann.poor_effect.items():
            for m in ann.mentions:
                if m.statement == i and m.concept in actions:
                    claims[i].append(Claimed("belief", m.start, m.end, label(m.concept), "works-poorly"))
        return claims, hedged
    for i, found in getattr(ann, "beliefs", {}).items():
        for b in found:
            claims[i].append(Claimed("belief", b.action_start, b.action_end, label(b.action), b.effect,
                                     b.outcome.text if b.outcome else "", tuple(f.text for f in b.figures)))
    for i, found in getattr(ann, "safety", {}).items():
        # a condition a recommendation waits on ("if adequate renal function") is read from the population, after
        # the gold's safety statements were labelled: it is scored by the checks' gold, not here
        for x in (x for x in found if x.strength != "only-if"):
            claims[i].append(Claimed("safety", x.action_start, x.action_end, label(x.action), x.strength,
                                     x.condition.text))
    for i, found in getattr(ann, "hedges", {}).items():
        hedged[i] = [h.text for h in found]
    return claims, hedged


def score_claims(docs: dict, annotations: dict, vocab, model: str = "directives",
                 gold: list[dict] | None = None) -> dict:
    """Return, by part, precision and recall of the beliefs' and safety statements' fields, and of hedges.

    Matching, statement by statement (a gold statement and an annotated one overlap):
    - belief / safety action: a predicted claim of the kind whose action words overlap the gold row's action
      words, or, for a gold row without action words (an elliptical item), whose action concept's label
      shares a content word with the gold action;
    - effect, safety strength: the statement's predicted and gold labels (as multisets);
    - outcome, condition: phrases sharing a content word; figure: a predicted figure's words inside a gold
      figure's;
    - hedge: the statement's predicted hedge words and its gold hedges (directive and belief rows) share a word.
    """
    gold = read_gold() if gold is None else gold
    counts: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0, 0]))
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for row in gold:
        by_doc[row["doc"]].append(row)

    def add(c, field, predicted, wanted, same):
        c[field][0] += sum(any(same(p, g) for g in wanted) for p in predicted)
        c[field][1] += len(predicted)
        c[field][2] += sum(any(same(p, g) for p in predicted) for g in wanted)
        c[field][3] += len(wanted)

    def same_action(p, r):
        if r["action_start"]:
            return _overlap((p.start, p.end), (int(r["action_start"]), int(r["action_end"])))
        return bool(_words(p.label) & _words(r["action"]))

    def hedge_words(text):
        return set(re.findall(r"[a-z]+", text.lower()))

    for slug, rows in by_doc.items():
        doc, ann = docs[slug], annotations[slug]
        claims, hedged = claim_predictions(doc, ann, vocab, model)
        for i, st in enumerate(doc.statements):
            here = [r for r in rows if _overlap((int(r["stmt_start"]), int(r["stmt_end"])), (st.start, st.end))]
            if not here:
                continue
            c = counts[here[0]["part"]]
            for kind, prefix, effect_field, outcome_field in (("belief", "belief", "effect", "outcome"),
                                                              ("safety", "safety", "safety strength", "condition")):
                wanted = [r for r in here if r["type"] == kind]
                got = [p for p in claims.get(i, []) if p.kind == kind]
                add(c, f"{prefix} action", got, wanted, same_action)
                column = "effect" if kind == "belief" else "strength"
                add(c, effect_field, [p.effect for p in got], [r[column] for r in wanted], lambda p, g: p == g)
                column = "outcome" if kind == "belief" else "condition"
                add(c, outcome_field, [p.outcome for p in got if p.outcome], [r[column] for r in wanted if r[column]],
                    lambda p, g: bool(_words(p) & _words(g)))
                if kind == "belief":
                    add(c, "figure", sorted({f for p in got for f in p.figures}),
                        sorted({r["figure"] for r in wanted if r["figure"]}),
                        lambda p, g: p.lower() in g.lower() or g.lower() in p.lower())
            add(c, "hedge", sorted(set(hedged.get(i, []))), sorted({r["hedge"] for r in here if r["hedge"]}),
                lambda p, g: bool(hedge_words(p) & hedge_words(g)))
    out = {}
    for part in sorted(counts):
        c = counts[part]
        out[part] = {f: (c[f][0] / c[f][1] if c[f][1] else 0.0, c[f][2] / c[f][3] if c[f][3] else 0.0)
                     for f in CLAIM_FIELDS}
    return out


def corpus_annotations():
    """Ingest and annotate the default corpus: (documents, annotations, vocabulary) by slug."""
    from guidegraph.annotate.statements import annotate
    from guidegraph.annotate.vocabulary import load_vocabulary
    from guidegraph.ingest.document import ingest
    from guidegraph.ingest.metadata import read_catalogue

    corpus = ROOT / "corpus"
    catalogue = read_catalogue(corpus)
    vocab = load_vocabulary()
    docs = {d.slug: d for d in (ingest(p, corpus, catalogue) for p in sorted(corpus.glob("*.txt")))}
    return docs, {slug: annotate(d, vocab) for slug, d in docs.items()}, vocab


def main(argv=None) -> None:
    """Print the figures of every field, by part, for the current model and the one before."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=("before", "directives", "both"), default="both")
    args = parser.parse_args(argv)
    docs, anns, vocab = corpus_annotations()
    for model in ("before", "directives") if args.model == "both" else (args.model,):
        for part, figures in score(docs, anns, vocab, model).items():
            cells = "  ".join(f"{f} P {figures[f][0]:.2f} R {figures[f][1]:.2f}" for f in FIELDS)
            print(f"{model:10} {part:8} {cells}  role acc {figures['role']:.2f}")
    for model in ("before", "directives") if args.model == "both" else (args.model,):
        for part, figures in score_claims(docs, anns, vocab, model).items():
            cells = "  ".join(f"{f} P {figures[f][0]:.2f} R {figures[f][1]:.2f}" for f in CLAIM_FIELDS)
            print(f"{model:10} {part:8} {cells}")


if __name__ == "__main__":
    main()
