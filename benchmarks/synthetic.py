"""Generate a synthetic catalog of N papers (realistic titles, Chinese abstracts) for benchmarks.

    python benchmarks/synthetic.py 100000 -o benchmarks/_generated/papers-100000.yaml

The 26 real papers come first, so real queries still have their answers; the rest are
made from a fixed vocabulary with a fixed seed, so every run measures the same file.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
EN = [
    "efficient", "scalable", "sparse", "robust", "adaptive", "latent", "hierarchical", "contrastive", "multilingual", "federated",
    "causal", "quantized", "distilled", "retrieval", "augmented", "instruction", "tuned", "long", "context", "vision", "language",
    "speech", "graph", "reinforcement", "diffusion", "transformer", "attention", "memory", "reasoning", "planning", "alignment",
    "benchmark", "dataset", "decoding", "inference", "pretraining", "compression", "pruning", "routing", "experts", "tokenizer",
    "embedding", "agent", "tool", "evaluation", "safety", "preference", "reward", "policy", "curriculum", "synthetic",
    "multimodal", "grounding", "segmentation"
]
NOUNS = ["Models", "Networks", "Learners", "Agents", "Transformers", "Encoders", "Decoders", "Benchmarks", "Datasets", "Systems"]
ZH = [
    "我们", "提出", "一种", "新的", "方法", "用于", "大型", "语言", "模型", "的", "训练",
    "和", "推理", "实验", "表明", "该", "方法", "在", "多个", "基准", "上", "取得", "了",
    "最先进", "的", "性能", "同时", "显著", "降低", "计算", "成本", "与", "内存", "占用",
    "此外", "我们", "还", "发布", "了", "代码", "数据集", "以及", "预训练", "权重", "以",
    "促进", "后续", "研究", "视觉", "多模态", "对齐", "强化", "学习", "检索", "增强", "生成",
    "量化", "蒸馏", "稀疏", "专家", "混合"
]
ORGS = ["google", "meta", "openai", "tsinghua", "microsoft", "alibaba", "princeton", "cmu", "berkeley", "apple"]


def synthetic_catalog(n: int, seed: int = 7) -> dict[str, object]:
    base = yaml.load((ROOT / "data" / "papers.yaml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    rng = random.Random(seed)
    papers = list(base["papers"])
    sections = [s["id"] for s in base["sections"]]
    for i in range(max(0, n - len(papers))):
        name = "".join(rng.choice("BCDFGKLMNPRSTVZ") + rng.choice("aeiou") for _ in range(3)) + f"-{i}"
        title = f"{name}: {' '.join(w.capitalize() for w in rng.sample(EN, 5))} {rng.choice(NOUNS)}"
        papers.append({
            "id": f"syn-{i}", "title": title, "aliases": [name.lower()],
            "arxiv": f"{rng.randint(20, 25):02d}{rng.randint(1, 12):02d}.{10000 + i % 90000:05d}" if i < 1_000_000 else None,
            "date": f"20{rng.randint(18, 25)}-{rng.randint(1, 12):02d}", "section": rng.choice(sections),
            "orgs": [rng.choice(ORGS)],
            "impact": {"zh": "".join(rng.choices(ZH, k=12)), "en": " ".join(rng.choices(EN, k=12))},
            "summary_en": " ".join(rng.choices(EN, k=40)) + ".",
            "abstract_zh": "".join(rng.choices(ZH, k=180)) + "。",
        })
    seen: set[str] = set()
    for p in papers:  # arXiv ids must stay unique: re-number any collision
        while p.get("arxiv") in seen:
            p["arxiv"] = f"{rng.randint(20, 25):02d}{rng.randint(1, 12):02d}.{rng.randint(10000, 99999)}"
        seen.add(p["arxiv"])
    return {"sections": base["sections"], "organisations": base["organisations"], "papers": papers}


def write(n: int, path: Path) -> Path:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        path.write_text(yaml.dump(synthetic_catalog(n), Dumper=dumper, allow_unicode=True, sort_keys=False,
                                  width=10000), encoding="utf-8")
    return path


def generated(n: int) -> Path:
    return write(n, ROOT / "benchmarks" / "_generated" / f"papers-{n}.yaml")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", type=int)
    parser.add_argument("-o", "--output", type=Path)
    args = parser.parse_args()
    print(write(args.n, args.output or ROOT / "benchmarks" / "_generated" / f"papers-{args.n}.yaml"))
