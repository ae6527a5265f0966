"""A toast repeats the page's message short enough that Streamlit shows no English "view more"."""

from __future__ import annotations

from views.common import TOAST_CHARACTERS, toast_text


def test_a_short_message_is_the_toast_and_a_long_one_its_first_sentence() -> None:
    assert toast_text("Gebied 1 is operationeel.") == "Gebied 1 is operationeel."
    long = (
        "Gebied 3 is gesplitst in 3 en 7. " + "De nieuwe gebieden hebben nog geen beheerder. " * 3
    )
    assert toast_text(long) == "Gebied 3 is gesplitst in 3 en 7."


def test_a_long_first_sentence_is_cut_at_a_word() -> None:
    words = "leden van gebied vier verhuizen naar hun nieuwe groep " * 4
    text = toast_text(words.strip())
    assert len(text) <= TOAST_CHARACTERS and text.endswith("…")
    assert words.startswith(text.removesuffix("…")) and text[-2] != " "


def test_initials_and_numbers_do_not_end_the_sentence() -> None:
    assert toast_text("J. de Vries is aangemeld. Nog iets.") == "J. de Vries is aangemeld."
    assert toast_text("Lid nr. 3 is verplaatst. Zie hieronder.") == "Lid nr. 3 is verplaatst."
    escaped = "J\\. de Vries is aangemeld\\. Nog iets\\."  # as md() writes a name
    assert toast_text(escaped) == "J\\. de Vries is aangemeld."
