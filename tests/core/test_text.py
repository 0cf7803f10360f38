import pytest

from xinfang.core.text import ngrams, normalize


def test_normalize_folds_full_width_case_and_spaces():
    assert normalize("王 伟\u3000ＡＢＣ１２３\n工资") == "王伟abc123工资"


def test_normalize_folds_full_width_comma_keeps_ideographic_full_stop():
    assert normalize("拖欠工资，三个月。") == "拖欠工资,三个月。"


def test_bigrams_overlap_in_order():
    assert ngrams("拖欠工资", 2) == ["拖欠", "欠工", "工资"]


def test_short_text_is_its_own_piece():
    assert ngrams("王", 2) == ["王"]
    assert ngrams("王伟", 2) == ["王伟"]
    assert ngrams("", 2) == []


def test_trigrams():
    assert ngrams("abcd", 3) == ["abc", "bcd"]


def test_n_below_one_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        ngrams("abc", 0)
