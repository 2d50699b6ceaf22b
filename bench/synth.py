"""Write a synthetic corpus in the layouts of the default documents.

Documents alternate between the clinical-summary layout (lead recommendation, headed
sections, bullets, numbered steps, trailing citation markers of which about 2 % cite a
number with no entry, a three-line reference list) and the patient-education layout
(paragraphs, bullets, an author-style bibliography). Output is deterministic for a seed.

    python -m bench.synth OUT_DIR --documents 500 [--seed 7]
"""
from __future__ import annotations

import argparse
import random
from pathlib import Path

DRUGS = ["zoledronic acid", "denosumab", "pamidronate", "radium-223", "strontium-89", "trastuzumab",
         "capecitabine", "cisplatin", "letrozole", "tamoxifen"]
ACTIONS = ["is recommended for", "should be considered for", "is preferred for", "may be offered to",
           "is not recommended for", "should be avoided in"]
POPULATIONS = ["patients with bone metastases from solid tumors", "patients with good performance status (ECOG 0-2)",
               "postmenopausal patients with HR-positive disease", "patients with creatinine clearance <60 mL/min",
               "patients with spinal instability (SINS ≥13)", "patients with castration-resistant prostate cancer"]
SCHEDULES = ["every 3-4 weeks", "every 12 weeks", "every 4 weeks", "once", "every 3 months"]
HEADINGS = ["Bone-Directed Therapy", "Systemic Therapy", "Radiation Therapy", "Surgical Management",
            "Supportive Care", "Monitoring", "Special Populations", "Critical Pitfalls to Avoid"]


def _markers(rng: random.Random, n_refs: int) -> str:
    count = rng.choice([1, 1, 2, 2, 3])
    numbers = sorted(rng.sample(range(1, n_refs + 1), min(count, n_refs)))
    if rng.random() < 0.02:
        numbers.append(n_refs + rng.randint(1, 3))  # a dangling marker
    return ", ".join(map(str, numbers))


def _sentence(rng: random.Random) -> str:
    drug = rng.choice(DRUGS)
    dose = rng.choice(["4 mg IV", "120 mg subcutaneously", "8 Gy", "50 kBq/kg"])
    return (f"{drug[0].upper()}{drug[1:]} {dose} {rng.choice(SCHEDULES)} {rng.choice(ACTIONS)} "
            f"{rng.choice(POPULATIONS)}")


def clinical_summary(i: int, rng: random.Random, titles: int = 1000) -> str:
    """Return one document in the clinical-summary layout.

    Reference titles come from a pool of ``titles``, so that documents share some of their
    references as real guidelines do (what a cross-document join looks for).
    """
    n_refs = rng.randint(3, 8)
    out = [f"What is the treatment approach for synthetic case {i}?", "",
           "Last updated: March 3, 2025View editorial policy", "", "Personalize", "",
           f"Treatment of Synthetic Condition {i}", "",
           f"{_sentence(rng)}. {_markers(rng, n_refs)}", ""]
    for h in rng.sample(HEADINGS, 5):
        out += [h, "", f"{_sentence(rng)}. {_markers(rng, n_refs)} Key considerations:", ""]
        for _ in range(rng.randint(3, 6)):
            out.append(f"  • {_sentence(rng)} {_markers(rng, n_refs)}")
            if rng.random() < 0.2:
                out.append(f"    • {_sentence(rng)} {_markers(rng, n_refs)}")
        out.append("")
    out += ["Treatment Algorithm", "", "Good performance status (ECOG 0-2):", ""]
    for step in range(1, 5):
        out.append(f"  {step}. {_sentence(rng)} {_markers(rng, n_refs)}")
    out += ["", "References", ""]
    for r in range(1, n_refs + 1):
        out += ["Guideline", "", f"Synthetic Guideline {rng.randrange(titles)} on Bone Metastases", "",
                f"Praxis Medical Insights: Practical Summaries of Clinical Guidelines, {2015 + r}", ""]
    out += ["Professional Medical Disclaimer", "", "This information is intended for healthcare professionals."]
    return "\n".join(out)


def patient_education(i: int, rng: random.Random) -> str:
    """Return one document in the patient-education layout."""
    out = [f"Treating Synthetic Condition {i}", ""]
    for h in rng.sample(HEADINGS, 4):
        out += [h, "", " ".join(f"{_sentence(rng)}." for _ in range(rng.randint(2, 5))), ""]
        out += ["Options include:", ""] + [f"  • {rng.choice(DRUGS).capitalize()}" for _ in range(3)] + [""]
    for r in range(rng.randint(2, 5)):
        out += [f"Author{r} AB, Writer CD, et al. Study {i}.{r} of bone metastases. "
                f"J Synth Oncol. {2000 + r};{r}:1-9.", ""]
    out += ["Last Medical Review: December 16, 2016 Last Revised: December 16, 2016"]
    return "\n".join(out)


def write_corpus(folder: Path, documents: int, seed: int = 7) -> list[Path]:
    """Write ``documents`` synthetic files into ``folder`` and return their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    paths = []
    for i in range(documents):
        text = clinical_summary(i, rng, titles=max(2, documents // 2)) if i % 3 else patient_education(i, rng)
        p = folder / f"synthetic-{i:05d}.txt"
        p.write_text(text, encoding="utf-8")
        paths.append(p)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--documents", type=int, default=100)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    write_corpus(args.out, args.documents, args.seed)
    print(f"wrote {args.documents} documents to {args.out}")


if __name__ == "__main__":
    main()
