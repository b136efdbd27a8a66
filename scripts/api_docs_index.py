"""Write the tags and summary of every spec operation to src/tidings/api_docs/operations.json.

The /docs page groups operations under the spec's tags and shows its one-line summaries; the spec
itself stays in ../shared/spec, so this index of it ships in the package instead.

python scripts/api_docs_index.py          # rewrite the index
python scripts/api_docs_index.py --check  # exit 1 if the index differs from the spec
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]  # this checkout's code, whatever is installed

from scripts.coverage_report import OWN_IDS  # noqa: E402
from tests.support.contract import METHODS, spec  # noqa: E402

from tidings.api_docs.reference import INDEX_PATH  # noqa: E402


def index() -> str:
    entries = {}
    for path, item in spec()["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op:
                op_id = op.get("operationId") or OWN_IDS[(method, path)]
                entries[op_id] = {"tags": op.get("tags", []), "summary": op.get("summary", "")}
    lines = [f" {json.dumps(op_id)}: {json.dumps(entries[op_id], ensure_ascii=False)}" for op_id in sorted(entries)]
    return "{\n" + ",\n".join(lines) + "\n}\n"


def main() -> int:
    text = index()
    if "--check" in sys.argv:
        if INDEX_PATH.read_text() != text:
            print(f"{INDEX_PATH} is out of date: run python scripts/api_docs_index.py")
            return 1
        print(f"{INDEX_PATH.name} matches the spec.")
        return 0
    INDEX_PATH.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
