"""Same-person scores and text similarity, pure (matching/people.py, matching/minhash.py).
Every expected score and reason is written here by hand."""

from __future__ import annotations

from xinfang.matching import minhash
from xinfang.matching.people import PersonFacts, name_sound, person_score


def test_the_id_number_alone_is_certain() -> None:
    new = PersonFacts(name="王建华", id_number_hash="a" * 64)
    old = PersonFacts(name="李梅", id_number_hash="a" * 64)
    assert person_score(new, old) == (1.0, ["身份证号码相同"])


def test_phone_and_the_same_name_with_a_close_address_strengthen_each_other() -> None:
    new = PersonFacts(name="王建华", phone_hash="p" * 64, address="河口县城关镇解放路12号")
    old = PersonFacts(name="王建华", phone_hash="p" * 64, address="河口县城关镇解放路12号院")
    # 1 - (1 - 0.8) * (1 - 0.7); the addresses differ by one character in 25: 96%.
    assert person_score(new, old) == (0.94, ["电话号码相同", "姓名相同，住址相近（相似度96%）"])


def test_a_homophone_with_the_same_workplace() -> None:
    new = PersonFacts(name="王伟", work_unit="河口县交通运输局")
    old = PersonFacts(name="汪炜", work_unit="河口县 交通运输局")
    assert name_sound("汪炜") == "wang wei"
    assert person_score(new, old) == (0.6, ["姓名同音，工作单位相近（相似度100%）"])


def test_a_name_alone_is_no_one() -> None:
    new = PersonFacts(name="王伟", address="河口县城关镇")
    old = PersonFacts(name="王伟", address="白沙县石桥镇")
    assert person_score(new, old) == (0.0, [])


def test_the_online_account() -> None:
    new = PersonFacts(account_hash="x" * 64)
    assert person_score(new, PersonFacts(account_hash="x" * 64)) == (0.9, ["网上信访账号相同"])


def test_exact_jaccard_of_three_character_pieces() -> None:
    # "abcd" -> {abc, bcd}; "abce" -> {abc, bce}: one shared of three.
    assert minhash.jaccard(minhash.shingles("abcd"), minhash.shingles("abce")) == 1 / 3
    assert minhash.shingles("Ａ Ｂ　c") == {"abc"}  # normalised: width, case, spaces


def test_identical_texts_share_every_band_and_unrelated_ones_none() -> None:
    text = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉"
    assert minhash.text_keys(text) == minhash.text_keys(" " + text)
    assert len(minhash.text_keys(text)) == 16
    other = "天地玄黄宇宙洪荒日月盈昃辰宿列张寒来暑往"
    assert not set(minhash.text_keys(text)) & set(minhash.text_keys(other))
    assert minhash.text_keys("") == []


def test_the_facts_of_a_stored_petitioner_are_read_by_column_name() -> None:
    """`PersonFacts.of`: a `values()` row or a model's `__dict__`; other columns ignored, an
    empty column (None) is no fact."""
    row = {"pk": 7, "name": "王伟", "phone_hash": "p" * 64, "account_hash": None, "address": "甲"}
    assert PersonFacts.of(row) == PersonFacts(name="王伟", phone_hash="p" * 64, address="甲")
