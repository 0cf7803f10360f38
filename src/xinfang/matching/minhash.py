"""MinHash over character 3-grams, with LSH bands, for near-duplicate petition texts.

Pure functions of plain strings (no models). The text is first normalised by
core/text.py `normalize` and cut into overlapping 3-character pieces (`ngrams`): Chinese has
no spaces, and 3-grams are long enough to carry meaning (most words are two characters) and
short enough that a reworded letter still shares most of them.

The signature is one-permutation hashing (Li, Owen and Zhang 2012): each 3-gram is hashed
once, the hash picks one of `SLOTS` slots and the rest of the hash competes for that slot's
minimum. Against 64 independent permutations this is one hash per piece instead of 64, which
keeps registration and import fast in pure Python, and it estimates the same Jaccard
similarity. Slots a short text leaves empty are filled from the next filled slot to the
right (rotation densification), so short texts still get comparable signatures.

The signature is cut into `BANDS` bands of `ROWS` slots; two texts become candidates when
any band is identical. With 16 bands of 4 rows the chance of becoming a candidate is
1-(1-J^4)^16: 0.64 at Jaccard 0.5, 0.99 at 0.7, 0.05 at 0.2 (docs/matching.md). Candidates
are then verified on their exact Jaccard similarity of the 3-gram sets.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable

from xinfang.core.text import ngrams, normalize

N = 3  # characters per piece
SLOTS = 64
BANDS = 16
ROWS = SLOTS // BANDS
_EMPTY = (1 << 64) - 1
_SEED = 0x9E3779B9
_MASK63 = (1 << 63) - 1


def shingles(text: str) -> set[str]:
    """The set of 3-character pieces of the normalised text."""
    return set(ngrams(normalize(text), N))


def _hash64(piece: str) -> int:
    # Not hash(): Python's str hash changes with every process, and the band keys are stored.
    # Two CRC-32s with different seeds (C, in zlib) are a 64-bit hash at a third of the cost
    # of blake2b per piece, which dominates a signature (docs/matching.md); MinHash needs a
    # well-spread hash, not a cryptographic one.
    data = piece.encode()
    return (zlib.crc32(data) << 32) | zlib.crc32(data, _SEED)


def signature(pieces: Iterable[str]) -> list[int]:
    """The one-permutation MinHash of a set of pieces; [] for an empty set."""
    slots = [_EMPTY] * SLOTS
    filled = False
    for piece in pieces:
        h = _hash64(piece)
        slot = h % SLOTS
        value = h // SLOTS
        if value < slots[slot]:
            slots[slot] = value
            filled = True
    if not filled:
        return []
    # Rotation densification: an empty slot borrows the next filled slot to its right,
    # marked by the distance so two borrowed slots are not mistaken for a shared piece.
    out = list(slots)
    for i in range(SLOTS):
        if slots[i] != _EMPTY:
            continue
        step = 1
        while slots[(i + step) % SLOTS] == _EMPTY:
            step += 1
        out[i] = slots[(i + step) % SLOTS] + step * (1 << 58)
    return out


def band_keys(sig: list[int]) -> list[int]:
    """One signed 64-bit key per band (band number included), for an indexed integer
    column: equal keys mean an identical band."""
    keys = []
    for band in range(len(sig) // ROWS):
        rows = sig[band * ROWS : (band + 1) * ROWS]
        data = band.to_bytes(2, "big") + b"".join(v.to_bytes(9, "big") for v in rows)
        raw = int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")
        keys.append(raw - (1 << 63) if raw > _MASK63 else raw)
    return keys


def text_keys(text: str) -> list[int]:
    return band_keys(signature(shingles(text)))


def jaccard(a: set[str], b: set[str]) -> float:
    """Exact Jaccard similarity of two piece sets (0 when both are empty)."""
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)


def text_digest(text: str) -> str:
    """SHA-256 of the normalised text: identical texts (whitespace, width and case aside)."""
    return hashlib.sha256(normalize(text).encode()).hexdigest()
