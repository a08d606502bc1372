"""A corpus of real-life recommendation-file shapes, each with its expected outcome per row.

Each shape is one file of its own association (A101, A102, ...) with its own units, so quotas
and duplicates of one shape never touch another. `Shape.expected` maps a physical row number to
"ok" (the row lands, as unit `Shape.units[row]`) or to a rejection code that row must carry;
`Shape.file_code` is the code of a file refused whole. Every name, address and number is
synthetic. `python tests/data/intake_corpus.py OUT_DIR` writes the files to look at.
"""

from __future__ import annotations

import sys
from pathlib import Path

from data.intake_cells import cells, identity, rules
from data.intake_files import damaged_files, encodings, structure
from data.intake_kit import Builder, Shape, write_xlsx
from factories import association_row

from schemas.columns import ASSOCIATIONS


def build() -> tuple[list[Shape], list[str]]:
    """Return the corpus's shapes and the association codes the association list must name."""
    b = Builder()
    for part in (encodings, damaged_files, structure, cells, identity, rules):
        part(b)
    return b.shapes, b.codes


def write_corpus(folder: Path) -> tuple[list[tuple[Shape, Path]], Path]:
    """Write every shape and the association list into `folder`; return them and the list."""
    shapes, codes = build()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for shape in shapes:
        path = folder / shape.name
        shape.write(path)
        written.append((shape, path))
    associations = folder / "associations.xlsx"
    write_xlsx(
        associations,
        [[c.header for c in ASSOCIATIONS.columns]]
        + [[association_row(code)[c.header] for c in ASSOCIATIONS.columns] for code in codes],
    )
    return written, associations


if __name__ == "__main__":
    out, _ = write_corpus(Path(sys.argv[1]))
    print(f"{len(out)} shapes written to {sys.argv[1]}")  # noqa: T201  (a script)
