"""Clean-up and splitting helpers."""
from ingest.text import clean_inline, split_cell_items, split_run_on_items, split_sentences


def test_clean_inline_strips_tags_emphasis_and_placeholder_links():
    assert clean_inline("<p>**Bold** and *italic*</p> [Click here to read](#)") == "Bold and italic"
    assert clean_inline("[Toolkit](https://example.org/t)") == "Toolkit (https://example.org/t)"


def test_cells_split_on_paragraphs_bullets_and_double_spaces():
    assert split_cell_items("<p>One.</p> <p>Two.</p>") == ["One.", "Two."]
    assert split_cell_items('<ul style="x"> • Alpha • Beta') == ["Alpha", "Beta"]
    assert split_cell_items("First part.  Second part.") == ["First part.", "Second part."]


def test_run_on_items_split_where_a_new_item_starts():
    items = split_run_on_items("Join a subject association Undertake personal research. "
                               "Read Journals/source internet sites")
    assert items == ["Join a subject association", "Undertake personal research.",
                     "Read Journals/source internet sites"]
    assert split_run_on_items("Camden Learning NPQs Camden Learning Hubs and CPD") == [
        "Camden Learning NPQs", "Camden Learning Hubs and CPD"]


def test_sentences():
    assert split_sentences("One thing. Another (e.g. this). Third!") == [
        "One thing.", "Another (e.g. this).", "Third!"]
