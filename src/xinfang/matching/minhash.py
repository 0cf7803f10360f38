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
import struct
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
    # well-spread hash, not a cryptographic one. `signature` computes the same inline.
    data = piece.encode()
    return (zlib.crc32(data) << 32) | zlib.crc32(data, _SEED)


_crc32 = zlib.crc32
_SLOT_BITS = SLOTS.bit_length() - 1
_SLOT_MASK = SLOTS - 1
assert SLOTS == 1 << _SLOT_BITS, "signature() needs a power of two of slots"
_BORROWED = 1 << 58  # a borrowed slot's value is raised by this much per slot of distance


def signature(pieces: Iterable[str]) -> list[int]:
    """The one-permutation MinHash of a set of pieces; [] for an empty set.

    Each piece's 64-bit hash `h` (`_hash64`, inlined: a function call per piece cost a
    third of the loop) picks slot `h % SLOTS` and competes there with `h // SLOTS`; SLOTS
    being a power of two, these are `h & (SLOTS - 1)` and `h >> log2(SLOTS)`.
    tests/matching/test_minhash.py compares it with the plain definition on many texts."""
    slots = [_EMPTY] * SLOTS
    crc32, seed, mask, bits = _crc32, _SEED, _SLOT_MASK, _SLOT_BITS
    for data in map(str.encode, pieces):
        h = (crc32(data) << 32) | crc32(data, seed)
        slot = h & mask
        value = h >> bits
        if value < slots[slot]:
            slots[slot] = value
    filled = [i for i in range(SLOTS) if slots[i] != _EMPTY]
    if not filled:
        return []
    if len(filled) == SLOTS:
        return slots
    # Rotation densification: an empty slot borrows the next filled slot to its right
    # (cyclically), marked by the distance so two borrowed slots are not mistaken for a
    # shared piece. Each filled slot fills the empty ones after the filled slot before it;
    # a negative index is the wrap-around (out[-1] is out[63]).
    prev = filled[-1] - SLOTS
    for slot in filled:
        value = slots[slot]
        for i in range(prev + 1, slot):
            slots[i] = value + (slot - i) * _BORROWED
        prev = slot
    return slots


# A band as hashed: the band number in 2 bytes, then each slot's value in 9 bytes, big-endian
# (`int.to_bytes(9, "big")`). Slot values are below 2**64 (a value is below 2**58, a borrowed
# one adds at most 63 * 2**58), so each is a zero byte ("x") and an unsigned 64-bit "Q".
_BAND = struct.Struct(">H" + "xQ" * ROWS)


def band_keys(sig: list[int]) -> list[int]:
    """One signed 64-bit key per band (band number included), for an indexed integer
    column: equal keys mean an identical band."""
    keys = []
    pack = _BAND.pack
    blake2b = hashlib.blake2b
    for band in range(len(sig) // ROWS):
        start = band * ROWS
        data = pack(band, *sig[start : start + ROWS])
        raw = int.from_bytes(blake2b(data, digest_size=8).digest(), "big")
        keys.append(raw - (1 << 63) if raw > _MASK63 else raw)
    return keys


def text_keys(text: str) -> list[int]:
    return band_keys(signature(shingles(text)))


def text_index(text: str) -> tuple[str, list[int]]:
    """(`text_digest`, `text_keys`) of a text, normalised once for both."""
    normal = normalize(text)
    return hashlib.sha256(normal.encode()).hexdigest(), band_keys(signature(set(ngrams(normal, N))))


def jaccard(a: set[str], b: set[str]) -> float:
    """Exact Jaccard similarity of two piece sets (0 when both are empty)."""
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)


def text_digest(text: str) -> str:
    """SHA-256 of the normalised text: identical texts (whitespace, width and case aside)."""
    return hashlib.sha256(normalize(text).encode()).hexdigest()
