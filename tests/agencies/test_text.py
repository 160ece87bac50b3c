from agencies.text import fold, sort_key


def test_fold_strips_diacritics_and_case_including_d_with_stroke():
    assert fold("Sở Kế hoạch và Đầu tư") == "so ke hoach va dau tu"
    assert fold("ĐẦU TƯ") == "dau tu"
    assert fold("Ủy  ban\nnhân dân") == "uy ban nhan dan"


def test_fold_treats_composed_and_decomposed_text_alike():
    import unicodedata

    text = "Sở Tài nguyên và Môi trường"
    assert fold(unicodedata.normalize("NFD", text)) == fold(text)


def test_names_sort_in_vietnamese_alphabet_order_letters_before_tones():
    names = ["Ủy ban nhân dân", "Sở Y tế", "Đài Phát thanh", "Dân tộc", "Ban Quản lý", "Uy tín", "Ư"]
    assert sorted(names, key=sort_key) == ["Ban Quản lý", "Dân tộc", "Đài Phát thanh", "Sở Y tế", "Ủy ban nhân dân", "Uy tín", "Ư"]
