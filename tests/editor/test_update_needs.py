"""What an update builds on (`check_ids` returns it): a store that holds less than that must
not store the update alone, and one that holds as much as its author had may."""

from hypothesis import given, settings
from hypothesis import strategies as st
from pycrdt import Doc, Text

from editor.yupdate import check_ids, read_state_vector


def lacks(needs: dict[int, int], state: bytes) -> bool:
    held = read_state_vector(state)
    return any(held.get(client, 0) < clock for client, clock in needs.items())


def typed(doc: Doc, edit) -> bytes:
    """The update of one edit (insert when `chars`, else delete) on the doc's text."""
    before = doc.get_state()
    text = doc.get("t", type=Text)
    where = edit[0] % (len(str(text)) + 1)
    if edit[1]:
        text.insert(where, edit[1])
    elif where < len(str(text)):
        del text[where : where + 1]
    return doc.get_update(before)


EDITS = st.lists(st.tuples(st.integers(0, 50), st.text("ab", max_size=3)), min_size=1, max_size=8)


@settings(max_examples=80, deadline=None)
@given(first=EDITS, second=EDITS)
def test_an_update_needs_what_its_author_held_of_others_and_no_more(first, second):
    author, other = Doc(), Doc()
    for edit in first:
        typed(other, edit)
    author.apply_update(other.get_update())
    for edit in second:
        before = author.get_state()
        update = typed(author, edit)
        needs = check_ids(update)
        assert not lacks(needs, before)  # its author could apply it: so can a store like it
        builds_on_other = any(client != author.client_id for client in needs)
        if builds_on_other:  # a store without the other's edits must not take it alone
            assert lacks(needs, Doc().get_state())


def test_an_edit_in_the_middle_of_anothers_text_needs_that_text():
    other, author = Doc(), Doc()
    other.get("t", type=Text).insert(0, "abc")
    author.apply_update(other.get_update())
    author.get("t", type=Text).insert(2, "X")
    needs = check_ids(author.get_update(other.get_state()))
    assert needs.get(other.client_id, 0) >= 2  # between its 2nd and 3rd characters
    assert lacks(needs, Doc().get_state())
    assert not lacks(needs, other.get_state())


def test_an_update_continuing_its_own_unstored_one_needs_it():
    author = Doc()
    text = author.get("t", type=Text)
    text.insert(0, "ab")
    stored = author.get_state()
    first = author.get_update()
    text.insert(2, "c")
    second = author.get_update(stored)
    assert check_ids(first) == {}
    assert lacks(check_ids(second), Doc().get_state())  # its own "ab" first
    assert not lacks(check_ids(second), stored)


def test_deleting_anothers_character_needs_it():
    other, author = Doc(), Doc()
    other.get("t", type=Text).insert(0, "abc")
    author.apply_update(other.get_update())
    del author.get("t", type=Text)[1:2]
    needs = check_ids(author.get_update(other.get_state()))
    assert needs == {other.client_id: 2}  # its "b", the second clock
    assert lacks(needs, Doc().get_state())


def test_what_an_update_carries_itself_is_not_needed():
    author = Doc()
    text = author.get("t", type=Text)
    text.insert(0, "x")
    before = author.get_state()
    with author.transaction():
        text.insert(1, "ab")
        text.insert(2, "c")  # between the a and the b of this same update
        del text[1:2]  # and the a deleted again
    needs = check_ids(author.get_update(before))
    assert not lacks(needs, before)
    assert needs == {author.client_id: 1}  # only its own "x" before
