"""Terminal tables: they fit the width, wrap instead of cutting, and never break a URL or a digest."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sanctrack._text_table import block, table, terminal_width, url_line, wrap

URL = "https://complianceconcourse.willkie.com/articles/ofac-designates-8-individuals-and-5-entities"


def test_wrap_breaks_at_spaces_then_after_a_letter_and_hyphen():
    assert wrap("Implementing Decision (CFSP) 2021/2125", 16) == ["Implementing", "Decision (CFSP)", "2021/2125"]
    assert wrap("us-bis-belarus-aircraft-licence-req", 16) == ["us-bis-belarus-", "aircraft-", "licence-req"]
    assert wrap("SDN removals 2025-08-21/22", 14) == ["SDN removals", "2025-08-21/22"]  # a date is not split


def test_wrap_keeps_urls_and_digests_whole():
    digest = "sha256:" + "ab" * 32
    assert wrap(f"see {URL} now", 30) == ["see", URL, "now"]
    assert wrap(digest, 20) == [digest]


def test_a_word_with_no_break_is_cut_into_pieces_without_loss():
    assert wrap("Supercalifragilistic", 8) == ["Supercal", "ifragili", "stic"]


WORDS = st.text(alphabet="abcdefgh-/.", min_size=1, max_size=25)


@given(st.lists(st.one_of(WORDS, st.just(URL)), min_size=1, max_size=12), st.integers(6, 50))
def test_wrap_loses_nothing_and_fits_the_width(words, width):
    text = " ".join(words)
    lines = wrap(text, width)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")  # the same characters, in order
    for line in lines:
        assert len(line) <= width or line == URL


def test_table_wraps_the_flex_column_to_fit():
    rows = [("us-ofac-belavia-sdn", "relieved", "GL 11 and a licence with a long title")]
    assert table(("MEASURE", "STATUS", "INSTRUMENT"), rows, flex=(0, 2), keep=(0,), width=46) == (
        "MEASURE              STATUS    INSTRUMENT\n"
        "us-ofac-belavia-sdn  relieved  GL 11 and a\n"
        "                               licence with a\n"
        "                               long title\n"
    )


def test_table_fits_without_wrapping_when_the_width_allows():
    rows = [("us-ofac-belavia-sdn", "relieved", "GL 11 and a licence with a long title")]
    out = table(("MEASURE", "STATUS", "INSTRUMENT"), rows, flex=(0, 2), keep=(0,), width=120)
    assert out.splitlines()[1] == "us-ofac-belavia-sdn  relieved  GL 11 and a licence with a long title"


def test_a_table_column_holding_a_url_is_never_narrower_than_it():
    out = table(("ID", "URL"), [("S21", URL)], flex=(1,), width=80)
    assert out.splitlines()[1] == f"S21  {URL}"  # runs past 80 rather than cut


def test_block_puts_a_long_digest_on_its_own_line():
    digest = "sha256:" + "ab" * 32
    assert block([("measure", "x"), ("digest", digest)], width=70) == (
        "measure  x\n"
        "digest\n"
        f"  {digest}\n"
    )


def test_url_line_puts_the_url_alone_when_label_and_url_do_not_fit():
    one = url_line("S20 ExportPrac:", "https://exportprac.com/x", width=80)
    assert one == "  S20 ExportPrac: https://exportprac.com/x\n"
    assert url_line("S21 Willkie:", URL, width=80) == f"  S21 Willkie:\n    {URL}\n"


def test_terminal_width_honours_columns_and_is_at_least_80(monkeypatch):
    monkeypatch.setenv("COLUMNS", "132")
    assert terminal_width() == 132
    monkeypatch.setenv("COLUMNS", "40")
    assert terminal_width() == 80
