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
