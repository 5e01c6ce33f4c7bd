"""Small files for the classroom tests to upload."""

from __future__ import annotations

# Scores of 30 learners: the source a pipeline reads.
SCORES_CSV = b"score,minutes,passed\n" + b"".join(
    f"{40 + i},{10 + i % 7},{'yes' if i % 2 else 'no'}\n".encode() for i in range(30)
)


def penguin_csv(rows: int = 30) -> bytes:
    """A small table of penguins: two measurements and the species."""
    lines = ["bill,flipper,species"]
    for i in range(rows):
        species = ["adelie", "gentoo", "chinstrap"][i % 3]
        lines.append(f"{35 + i % 7 + (i % 3) * 5},{180 + (i % 3) * 15 + i % 5},{species}")
    return "\n".join(lines).encode()
