import pytest

from briefings.diffing import Segment, compare, diff_words
from tests.helpers import edit, make_briefing, make_theme

pytestmark = pytest.mark.django_db


def test_word_diff_marks_only_changed_words():
    segments = diff_words("The budget rose 9.4% in 2025.", "The budget rose 9.5% in 2025.")
    assert Segment("delete", "4") in segments and Segment("insert", "5") in segments
    assert segments[0] == Segment("equal", "The budget rose 9.")


def test_compare_reports_each_field_and_tags():
    briefing = make_briefing(themes=[make_theme("Space")])
    briefing.themes.set([make_theme("Space"), make_theme("Intelligence sharing")])
    edit(briefing, title="A new title")
    old, new = briefing.revisions.order_by("number")
    changes = {change.label: change for change in compare(old, new)}
    assert changes["Title"].is_changed and not changes["Body"].is_changed
    assert changes["Themes"].new == "Intelligence sharing, Space"


def test_long_unchanged_stretches_are_elided_for_readers():
    from briefings.diffing import elide_unchanged

    old = "intro " * 200 + "The budget rose 9.4% last year. " + "outro " * 200
    new = old.replace("9.4%", "9.5%")
    segments = elide_unchanged(diff_words(old, new), context=50)
    assert [segment.op for segment in segments] == ["skip", "equal", "delete", "insert", "equal", "skip"]
    text = "".join(segment.text for segment in segments)
    assert "The budget rose 9." in text and len(text) < 200
