"""Score the checks against the hand-labelled gold of tests/data/: recall and precision per kind.

``python -m bench.gold [--store PATH]`` prints, for the store's findings (build the default
corpus first), how many gold relations (relations-gold.tsv) and citation problems
(citations-gold.tsv) a finding of the matching type reaches, by kind, grade and part (dev,
held out), and how many of the statement pairs the findings imply a careful reader accepts.

A relation is found when one finding of its kind involves a statement overlapping each of its
two quotes (in their documents); a citation problem when a finding of its kind involves a
marker, reference or statement overlapping its quote. Precision is counted over pairs: every
two statements from different documents (for cross-document findings) that a finding involves
together, accepted when the gold relates them with any kind of relation.
"""
from __future__ import annotations

import argparse
import csv
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"

# the finding types that speak of each kind of gold relation or citation problem
RELATION_TYPES = {
    "agreement": {"RepeatedRecommendation", "Agreement"},
    "contradiction": {"Contradiction", "RestrictionConflict"},
    "safety-conflict": {"SafetyConflict"},
    "schedule-conflict": {"ScheduleConflict"},
    "timing-conflict": {"TimingConflict"},
    "comparison-conflict": {"ComparisonConflict"},
    "effect-disagreement": {"EffectDisagreement"},
    "omission": {"Omission"},
    "alternatives": {"AlternativeActions"},
}
CITATION_TYPES = {
    "dangling-marker": {"DanglingCitation"},
    "unused-reference": {"UnusedReference"},
    "off-topic-reference": {"OffTopicReference", "PossiblyMisattributedReference"},
    "self-published-or-generic": {"SelfCitation", "GenericSource"},
    "uncited-claim": {"UncitedClaim", "UncitedRecommendation"},
    "unsupported-statement": {"UnsupportedStatement"},
}
TENSIONS = [k for k in RELATION_TYPES if k not in ("agreement", "alternatives")]


@dataclass(frozen=True)
class Span:
    """A quote of the gold: a document's file name and offsets."""

    file: str
    start: int
    end: int

    def meets(self, file: str | None, start: int | None, end: int | None) -> bool:
        """Tell whether a finding's span (file, start, end) overlaps this one."""
        return file == self.file and start is not None and end is not None and start < self.end and self.start < end


@dataclass(frozen=True)
class Relation:
    """One gold relation between two statements."""

    id: str
    part: str
    kind: str
    scope: str
    grade: str
    a: Span
    b: Span


@dataclass(frozen=True)
class CitationProblem:
    """One gold citation problem."""

    part: str
    kind: str
    grade: str
    span: Span


def _rows(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def relations() -> list[Relation]:
    """Return the gold relations of relations-gold.tsv."""
    return [Relation(r["id"], r["part"], r["kind"], r["scope"], r["grade"],
                     Span(r["doc_a"], int(r["start_a"]), int(r["end_a"])),
                     Span(r["doc_b"], int(r["start_b"]), int(r["end_b"]))) for r in _rows("relations-gold.tsv")]


def citation_problems() -> list[CitationProblem]:
    """Return the gold citation problems of citations-gold.tsv."""
    return [CitationProblem(r["part"], r["kind"], r["grade"],
                            Span(r["doc"] if r["doc"].endswith(".txt") else r["doc"] + ".txt", int(r["start"]),
                                 int(r["end"]))) for r in _rows("citations-gold.tsv")]


def _statements(finding) -> list:
    return [i for i in finding.involves if i.kind == "Statement" and i.start is not None]


def relation_found(relation: Relation, findings) -> bool:
    """Tell whether a finding of the relation's kind involves both of its statements."""
    types = RELATION_TYPES[relation.kind]
    for f in findings:
        if f.type not in types:
            continue
        involved = _statements(f)
        if any(relation.a.meets(i.source_file, i.start, i.end) for i in involved) and \
                any(relation.b.meets(i.source_file, i.start, i.end) for i in involved):
            return True
    return False


def citation_found(problem: CitationProblem, findings) -> bool:
    """Tell whether a finding of the problem's kind involves something overlapping its quote."""
    types = CITATION_TYPES[problem.kind]
    return any(problem.span.meets(i.source_file, i.start, i.end)
               for f in findings if f.type in types for i in f.involves)


def implied_pairs(findings) -> list[tuple[str, object, object]]:
    """Return (finding type, statement, statement) for every pair a relation finding involves together."""
    types = set().union(*RELATION_TYPES.values())
    out = []
    for f in findings:
        if f.type not in types:
            continue
        for x, y in combinations(_statements(f), 2):
            if f.within_document or x.source_file != y.source_file:
                out.append((f.type, x, y))
    return out


def pair_accepted(x, y, gold: list[Relation]) -> bool:
    """Tell whether the gold relates the two statements (with any kind of relation)."""
    for r in gold:
        if (r.a.meets(x.source_file, x.start, x.end) and r.b.meets(y.source_file, y.start, y.end)) or \
                (r.b.meets(x.source_file, x.start, x.end) and r.a.meets(y.source_file, y.start, y.end)):
            return True
    return False


@dataclass
class Score:
    """Recall by (kind, scope, grade, part) and pair precision by finding type."""

    found: Counter
    total: Counter
    accepted: Counter
    pairs: Counter

    def recall(self, kinds=None, grades=None, parts=None, scopes=None) -> tuple[int, int]:
        """Return (found, total) over the cells that match the filters."""
        keep = [k for k in self.total if (kinds is None or k[0] in kinds) and (scopes is None or k[1] in scopes)
                and (grades is None or k[2] in grades) and (parts is None or k[3] in parts)]
        return sum(self.found[k] for k in keep), sum(self.total[k] for k in keep)


def score(findings) -> Score:
    """Score findings against both gold files."""
    found, total = Counter(), Counter()
    for r in relations():
        key = (r.kind, r.scope, r.grade, r.part)
        total[key] += 1
        found[key] += relation_found(r, findings)
    for c in citation_problems():
        key = (c.kind, "citation", c.grade, c.part)
        total[key] += 1
        found[key] += citation_found(c, findings)
    gold = relations()
    accepted, pairs = Counter(), Counter()
    for kind, x, y in implied_pairs(findings):
        pairs[kind] += 1
        accepted[kind] += pair_accepted(x, y, gold)
    return Score(found, total, accepted, pairs)


def report(s: Score) -> str:
    """Write the score as a table a person reads."""
    lines = [f"{'kind':<26}{'scope':<10}{'grade':<10}{'dev':>10}{'held out':>12}"]
    cells = defaultdict(dict)
    for kind, scope, grade, part in s.total:
        cells[(kind, scope, grade)][part] = (s.found[(kind, scope, grade, part)], s.total[(kind, scope, grade, part)])
    for (kind, scope, grade), parts in sorted(cells.items()):
        shown = [f"{parts[p][0]}/{parts[p][1]}" if p in parts else "-" for p in ("dev", "heldout")]
        lines.append(f"{kind:<26}{scope:<10}{grade:<10}{shown[0]:>10}{shown[1]:>12}")
    lines.append("")
    for label, kinds, grades, scopes in (
            ("core cross-document tensions", TENSIONS, {"core"}, {"cross"}),
            ("core + moderate cross-document tensions", TENSIONS, {"core", "moderate"}, {"cross"}),
            ("tensions inside one document", TENSIONS, None, {"within"}),
            ("core agreements", ["agreement"], {"core"}, None),
            ("core citation problems", list(CITATION_TYPES), {"core"}, None)):
        f, t = s.recall(kinds, grades, scopes=scopes)
        lines.append(f"{label:<44}{f:>4} of {t:<4}")
    lines.append("")
    lines.append("pairs the relation findings imply, accepted by the gold:")
    for kind in sorted(s.pairs):
        lines.append(f"  {kind:<28}{s.accepted[kind]:>5} of {s.pairs[kind]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the score of a built store's findings."""
    from guidegraph.checks import findings
    from guidegraph.store import Store

    parser = argparse.ArgumentParser(prog="python -m bench.gold", description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=None, help="a store built from corpus/ (default: the project's)")
    parser.add_argument("--missed", metavar="KIND", default=None,
                        help="also list the gold relations of this kind (or 'tensions') that no finding reaches")
    args = parser.parse_args(argv)
    found = findings(Store(args.store))
    print(report(score(found)))
    if args.missed:
        kinds = TENSIONS if args.missed == "tensions" else [args.missed]
        print("\nmissed:")
        for r in relations():
            if r.kind in kinds and not relation_found(r, found):
                where = f"{r.a.file} {r.a.start} / {r.b.file} {r.b.start}"
                print(f"  {r.id} {r.part:<8}{r.kind:<20}{r.scope:<7}{r.grade:<9}{where}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
