"""The MinHash signature and band keys stay what they were when the stored band index was
written (matching/minhash.py was rewritten for speed, issue 11: the same values).

Two kinds of check: band keys written here by hand (copied once from the original plain
implementation's output), and the fast code against the plain definition, restated below
as `_plain_signature` / `_plain_band_keys`, on thousands of texts of every length."""

from __future__ import annotations

import hashlib
import random
import zlib

from xinfang.matching import minhash

_EMPTY = (1 << 64) - 1


def _plain_signature(pieces: set[str]) -> list[int]:
    # The definition, one step at a time: each piece's 64-bit hash (two CRC-32s, the second
    # seeded with 0x9E3779B9) picks slot hash % 64 and keeps hash // 64 if it is smaller;
    # an empty slot borrows the next filled slot to its right plus distance * 2**58.
    slots = [_EMPTY] * 64
    for piece in pieces:
        data = piece.encode()
        h = (zlib.crc32(data) << 32) | zlib.crc32(data, 0x9E3779B9)
        if h // 64 < slots[h % 64]:
            slots[h % 64] = h // 64
    if all(v == _EMPTY for v in slots):
        return []
    out = list(slots)
    for i in range(64):
        if slots[i] == _EMPTY:
            step = 1
            while slots[(i + step) % 64] == _EMPTY:
                step += 1
            out[i] = slots[(i + step) % 64] + step * (1 << 58)
    return out


def _plain_band_keys(sig: list[int]) -> list[int]:
    keys = []
    for band in range(len(sig) // 4):
        data = band.to_bytes(2, "big") + b"".join(v.to_bytes(9, "big") for v in sig[band * 4 :][:4])
        raw = int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big")
        keys.append(raw - (1 << 63) if raw >= (1 << 63) else raw)
    return keys


def test_band_keys_of_known_texts() -> None:
    assert minhash.text_keys("王伟") == [
        6934366619989732428,
        395941203436049762,
        1907589138484386277,
        8985096680655453518,
        1080309786209779285,
        8652026415076719163,
        2592650627471083046,
        4337658506988024549,
        2815252534947668414,
        2006668334518433268,
        6223396949556346385,
        9108604468906831811,
        3210872401063542419,
        6230483305748400220,
        22539362330473817,
        9123229579536667462,
    ]
    assert minhash.text_keys("请求解决拖欠工资问题，工地老板至今未付。") == [
        6519965616536868114,
        2072758033467631346,
        4878187399964703023,
        6723433400690468066,
        3973915939663874831,
        6931487102095146554,
        2195988458147729816,
        3622329490392155617,
        8141816451229702305,
        3208750418975237700,
        6264558177591916986,
        2216708800441919086,
        3399631373680578923,
        5955196504311831765,
        2173951107149489819,
        8906028065892006176,
    ]
    assert minhash.text_keys("") == []


def test_a_short_text_borrows_its_empty_slots() -> None:
    # 14 pieces fill 13 of 64 slots: the rest are borrowed (2**58 and above).
    sig = minhash.signature(minhash.shingles("反映村干部侵占集体土地补偿款问题"))
    assert sig[:4] == [
        135084805823539880,
        3693700966507833655,
        3405470590356121911,
        3117240214204410167,
    ]
    assert sum(1 for v in sig if v < 1 << 58) == 13
    assert minhash.text_keys("反映村干部侵占集体土地补偿款问题")[:2] == [
        3153629373605452290,
        9221289811397650299,
    ]


def test_the_fast_signature_is_the_plain_one_on_many_texts() -> None:
    rng = random.Random(20261203)
    alphabet = [chr(0x4E00 + i) for i in range(3000)] + list("abcXYZ0123，。、！？ ")
    lengths = [0, 1, 2, 3, 4, 5, 6, 10, 20, 40, 80, 200, 600, 2000]
    full = 0
    for n in lengths * 150:
        text = "".join(rng.choice(alphabet) for _ in range(n))
        pieces = minhash.shingles(text)
        sig = minhash.signature(pieces)
        assert sig == _plain_signature(pieces), text
        assert minhash.band_keys(sig) == _plain_band_keys(sig), text
        assert minhash.text_keys(text) == _plain_band_keys(_plain_signature(pieces))
        full += len(sig) == 64 and all(v < 1 << 58 for v in sig)
    # Both branches were exercised: every slot filled by a long text, and borrowed slots.
    assert full > 100


def test_text_index_is_the_digest_and_the_keys() -> None:
    for text in ["王伟", "", " 请求解决拖欠工资问题，工地老板至今未付。 ", "ＡＢＣ 反映问题"]:
        assert minhash.text_index(text) == (minhash.text_digest(text), minhash.text_keys(text))
    # Whitespace dropped before hashing: the SHA-256 of the UTF-8 of 王伟.
    assert minhash.text_index("王 伟")[0] == (
        "0c6e5fe880465ad00a298996f2e2b562402cf6d13376a4d355d74817dab788d8"
    )
