"""Reading a large catalog's YAML into Python values: the alternatives, on the same file, in one run.

    python benchmarks/yaml_load.py [N]      (default 100000: benchmarks/_generated/papers-N.yaml)

Each parser runs in a fresh subprocess, so its peak RSS is its own (the file's text included).
"same values" compares each result with PyYAML's (the reference: the catalog is YAML 1.1 as
PyYAML reads it). The JSON side-car is the same data written as JSON once beforehand (not timed):
what a compiled copy beside the file would cost to read. `yaml_fast.parse` is what
`catalog.load` runs: yaml-rs, then the check that every plain scalar reads the same in YAML 1.1.
"""

from __future__ import annotations

import hashlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _pyyaml_tree(text: str) -> Any:
    """Today's validator: the node tree (kept for line numbers), then its values."""
    import yaml

    loader = yaml.CSafeLoader(text)
    try:
        root = loader.get_single_node()
        return loader.construct_document(root)
    finally:
        loader.dispose()


def _pyyaml_load(text: str) -> Any:
    import yaml

    return yaml.load(text, Loader=yaml.CSafeLoader)


def _yaml_rs(text: str) -> Any:
    import yaml_rs

    return yaml_rs.loads(text)


def _rapidyaml(text: str) -> Any:
    """rapidyaml's tree, emitted as JSON in C++ and read by the json module (walking the tree
    node by node from Python is slower still)."""
    import ryml

    tree = ryml.parse_in_arena(text.encode())
    return json.loads(ryml.emit_json_malloc(tree, tree.root_id()))


def _fast(text: str) -> Any:
    from bot.catalog import yaml_fast

    return yaml_fast.parse(text.encode(), "papers.yaml").data


PARSERS = {
    "PyYAML CSafeLoader, node tree + values (before)": _pyyaml_tree,
    "PyYAML CSafeLoader, yaml.load": _pyyaml_load,
    "yaml-rs (its defaults)": _yaml_rs,
    "rapidyaml (tree -> JSON -> json.loads)": _rapidyaml,
    "JSON side-car, json.loads": json.loads,
    "yaml_fast.parse (yaml-rs + YAML 1.1 checks; after)": _fast,
}


def fingerprint(data: Any) -> str:
    """Of the values alone (a date is not its text), not of how objects are shared."""
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True, default=repr).encode()).hexdigest()[:16]


def reference(path: Path, sidecar: Path) -> str:
    """PyYAML's values (the reference), written once as the JSON side-car; in its own process
    so that no parser's process inherits its peak RSS."""
    import yaml

    data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    sidecar.write_text(json.dumps(data, ensure_ascii=False, default=str), encoding="utf-8")
    return fingerprint(data)


def one(name: str, path: Path, sidecar: Path) -> dict[str, Any]:
    source = sidecar if name.startswith("JSON") else path
    text = source.read_text(encoding="utf-8")
    t, cpu = time.perf_counter(), time.process_time()
    try:
        data = PARSERS[name](text)
    except Exception as exc:  # a parser that cannot read the file is a row, not a crash
        return {"error": f"{type(exc).__name__}: {str(exc)[:80]}"}
    took, took_cpu = time.perf_counter() - t, time.process_time() - cpu
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": took, "cpu": took_cpu, "rss": rss, "fingerprint": fingerprint(data)}


def main(n: int) -> None:
    from benchmarks.synthetic import generated

    path = generated(n) if n > 26 else ROOT / "data" / "papers.yaml"
    sidecar = Path(tempfile.mkdtemp()) / "papers.json"
    made = subprocess.run(
        [sys.executable, __file__, "--reference", str(path), str(sidecar)], capture_output=True, text=True, cwd=ROOT, check=True
    )
    expected = made.stdout.strip().splitlines()[-1]
    print(f"{path.name}: {path.stat().st_size / 1e6:.0f} MB, each parser in its own process\n")
    print("| parser | CPU (s) | wall (s) | peak RSS (MB) | same values as PyYAML |")
    print("|---|---:|---:|---:|---|")
    for name in PARSERS:
        out = subprocess.run([sys.executable, __file__, "--one", name, str(path), str(sidecar)], capture_output=True, text=True, cwd=ROOT)
        if out.returncode != 0:
            print(f"| {name} | failed: {out.stderr.strip().splitlines()[-1:]} | | | |")
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        if "error" in r:
            print(f"| {name} | cannot read it: {r['error']} | | | |")
            continue
        same = "yes" if r["fingerprint"] == expected else "**no**"
        print(f"| {name} | {r['cpu']:.2f} | {r['seconds']:.2f} | {r['rss']:.0f} | {same} |")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--reference":
        print(reference(Path(sys.argv[2]), Path(sys.argv[3])))
    elif len(sys.argv) == 5 and sys.argv[1] == "--one":
        print(json.dumps(one(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))))
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
