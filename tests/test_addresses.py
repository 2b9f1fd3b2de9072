"""`addresses.address`: what reverse() gives, whatever the values, prefix or language."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from briefings.addresses import address

CASES = [
    ("briefings:briefing-detail", {"slug": "space-debris-2026"}),
    ("briefings:briefing-version", {"slug": "space-debris", "number": 12}),
    ("briefings:briefing-version-pdf", {"slug": "a", "number": 0}),
    ("briefings:theme-detail", {"slug": "space_and-cyber"}),
    ("briefings:region-detail", {"slug": "8000000000000"}),  # a slug like the number placeholder
    ("briefings:author-detail", {"slug": "slug--placeholder--"}),  # and like the slug's own
]


@pytest.fixture
def prefix():
    def set_prefix(value):
        set_script_prefix(value)

    yield set_prefix
    set_script_prefix("/")


@pytest.mark.parametrize(("name", "kwargs"), CASES)
def test_an_address_is_what_reverse_gives(name, kwargs, prefix):
    for script_prefix in ("/", "/briefings-site/"):
        prefix(script_prefix)
        assert address(name, **kwargs) == reverse(name, kwargs=kwargs)
        assert address(name, **kwargs).startswith(script_prefix)


def test_values_reverse_would_quote_or_refuse_are_left_to_it():
    with pytest.raises(NoReverseMatch):
        address("briefings:briefing-detail", slug="not a slug")
    with pytest.raises(NoReverseMatch):
        address("briefings:briefing-version", slug="debris", number=-1)
    with pytest.raises(NoReverseMatch):
        address("briefings:briefing-detail", slug="")


def test_each_value_lands_in_its_own_place():
    assert address("briefings:briefing-version", slug="v2", number=2) == "/briefings/v2/v/2/"
    assert address("briefings:briefing-version", slug="x", number=8000000000001) == "/briefings/x/v/8000000000001/"
    # a value like another's placeholder stays where it is
    assert address("briefings:briefing-version", slug="8000000000001", number=5) == "/briefings/8000000000001/v/5/"
