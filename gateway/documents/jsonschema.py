"""Write the canonical documents' JSON Schema files: ``python -m gateway.documents.jsonschema [DIR]``.

The files are published in ``schemas/documents/`` (one per document); a test checks they are
current, so the schema changes only with the code.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .models import DOCUMENT_TYPES

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "schemas" / "documents"


def schemas() -> dict[str, str]:
    """File name → JSON text for every document model."""
    out = {}
    for name, cls in DOCUMENT_TYPES.items():
        schema = cls.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        out[f"{name}.schema.json"] = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else DEFAULT_DIR
    target.mkdir(parents=True, exist_ok=True)
    for name, text in schemas().items():
        (target / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(DOCUMENT_TYPES)} schemas to {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
