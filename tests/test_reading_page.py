"""The briefing page as a reader meets it: the note that matters first, the rail, and careful typography."""

import io
import json
import re

import pytest
from django.core.management import call_command

from briefings import publishing
from briefings.markdown import render_markdown
from briefings.models import Author, Briefing, Revision, Theme
from briefings.models.workflow import PUBLIC_LOG
from briefings.typography import typeset
from tests.helpers import edit, make_author, make_briefing, make_theme, region

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "typeset_text"),
    [
        ('Japan\'s "space" squadron - and why...', "Japan’s “space” squadron\u00a0– and why…"),
        ("'Pillar II' -- not submarines --- yet", "‘Pillar II’\u00a0– not submarines\u00a0— yet"),
        ("J. R. Smith on Part 2", "J.\u00a0R.\u00a0Smith on Part\u00a02"),
        ("(\"quoted\") and it's 1990s'", "(“quoted”) and it’s 1990s’"),
    ],
)
def test_titles_and_names_get_the_typography_the_body_gets(typed, typeset_text):
    assert typeset(typed) == typeset_text


def test_a_footnote_marker_is_joined_to_the_word_before_it():
    html = render_markdown("The fleet grew.[^1]\n\n[^1]: A source.").html
    assert "grew.\u2060<sup" in html


def test_the_latest_correction_note_comes_before_the_text_and_links_to_the_change_log(client):
    briefing = make_briefing(title="Cable security", body="Fleet of 12 ships.", publish=True)
    edit(briefing, body="Fleet of 21 ships.")
    publishing.publish(briefing, by=None, change_kind="correction", note="The fleet has 21 ships, not 12.")
    page = client.get(briefing.get_absolute_url()).content.decode()
    notice = page[page.index('<aside class="notice"') : page.index("</aside>")]
    assert "Correction" in notice and "The fleet has 21 ships, not 12." in notice and 'href="#changes"' in notice
    assert page.index('class="notice"') < page.index('class="body prose"')
    first_version = client.get(briefing.revisions.get(number=1).get_absolute_url()).content.decode()
    assert 'class="notice"' not in first_version  # the note belongs to the corrected version


def test_a_minor_edit_shows_no_notice(client):
    briefing = make_briefing(title="Cable security", body="Fleet of 12 ships.", publish=True)
    edit(briefing, body="Fleet of twelve ships.")
    publishing.publish(briefing, by=None, change_kind="minor", note="Style.")
    assert 'class="notice"' not in client.get(briefing.get_absolute_url()).content.decode()


def test_the_rail_names_the_authors_with_their_roles_and_the_version(client):
    author = make_author("Aiko Tanaka")
    author.role = "Senior Fellow, Space"
    author.save()
    briefing = make_briefing(title="Orbit", authors=[author], publish=True)
    page = client.get(briefing.get_absolute_url()).content.decode()
    rail = page[page.index('<aside class="rail"') :]
    assert "Aiko Tanaka" in rail and '<span class="role">Senior Fellow, Space</span>' in rail
    assert "<dt>Version</dt><dd>1</dd>" in rail and 'href="#cite"' in rail and "mailto:?subject=Orbit" in rail


def test_the_search_page_has_one_search_box(client):
    make_briefing(title="Orbit", publish=True)
    page = client.get("/search/", {"q": "orbit"}).content.decode()
    assert page.count('type="search"') == 1 and 'class="search-link"' not in page
    home = client.get("/").content.decode()
    assert 'class="search-link"' in home and home.count('type="search"') == 1


def test_an_author_page_shows_the_profile_and_describes_the_person_for_machines(client):
    author = make_author("Aiko Tanaka")
    author.role, author.bio = "Senior Fellow, Space", "Aiko studies Japan's space policy."
    author.orcid, author.website = "0000-0002-1825-0097", "https://example.org/aiko"
    author.save()
    make_briefing(title="Orbit", authors=[author], publish=True)
    page = client.get(author.get_absolute_url()).content.decode()
    assert '<p class="role">Senior Fellow, Space</p>' in page and "Aiko studies Japan’s space policy." in page
    assert 'href="https://orcid.org/0000-0002-1825-0097" rel="me"' in page and 'href="https://example.org/aiko"' in page
    person = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page).group(1))
    assert person["@type"] == "Person" and person["jobTitle"] == "Senior Fellow, Space"
    assert person["sameAs"] == ["https://orcid.org/0000-0002-1825-0097", "https://example.org/aiko"]
    briefing_data = client.get("/briefings/orbit/").content.decode()
    assert '"jobTitle": "Senior Fellow, Space"' in briefing_data


def test_a_hero_image_is_served_in_smaller_copies_named_in_srcset(client):
    from django.core.files.storage import default_storage
    from PIL import Image

    from briefings.images import rendition_name, store_image

    buffer = io.BytesIO()
    Image.new("RGB", (1600, 900), (20, 60, 120)).save(buffer, format="JPEG")
    hero = store_image(buffer.getvalue(), folder="heroes")
    briefing = make_briefing(title="Orbit", hero_image=hero, hero_alt="A dish", publish=True)
    for width in (480, 960):
        with default_storage.open(rendition_name(hero, width)) as stored, Image.open(stored) as copy:
            assert copy.width == width and copy.height == round(900 * width / 1600)
    page = client.get(briefing.get_absolute_url()).content.decode()
    assert f'srcset="{default_storage.url(rendition_name(hero, 480))} 480w' in page
    listing = client.get("/").content.decode()
    assert f'srcset="{default_storage.url(rendition_name(hero, 480))} 480w' in listing  # the card too
    default_storage.delete(rendition_name(hero, 960))
    call_command("make_renditions", stdout=io.StringIO())
    assert default_storage.exists(rendition_name(hero, 960))


def columns(objects) -> list[dict]:
    return [{field.attname: getattr(each, field.attname) for field in each._meta.concrete_fields} for each in objects]


def test_a_briefing_is_read_with_its_live_versions_tags_in_one_statement(django_assert_num_queries):
    space, cables = make_theme("Space"), make_theme("Cables")
    Theme.objects.filter(pk=space.pk).update(description="Orbits and launchers.")
    zed, ann = make_author("Zed Writer"), make_author("Ann Analyst")
    Author.objects.filter(pk=zed.pk).update(role="Fellow", bio="Writes on orbits.")
    tagged = {"themes": [space, cables], "regions": [region("Kenya"), region("Japan")], "authors": [zed, ann]}
    briefing = make_briefing(title="Orbits", publish=True, **tagged)
    draft_tags = publishing.BriefingTags(themes=[make_theme("Sea power")], regions=[], authors=[ann])
    publishing.save_draft(briefing, content={"title": "Orbits again"}, tags=draft_tags, by=None,
                          base_revision=briefing.latest_revision_id)  # fmt: skip
    untagged = make_briefing(title="Untagged", publish=True)
    live = Revision.objects.prefetch_related("themes", "regions", "byline__author").get(pk=briefing.live_revision_id)
    with django_assert_num_queries(1):
        read = {b.pk: b.live_revision for b in Briefing.objects.published().with_live_revision()}
        themes, regions = list(read[briefing.pk].themes.all()), list(read[briefing.pk].regions.all())
        byline, authors = list(read[briefing.pk].byline.all()), read[briefing.pk].authors
        nothing = [*read[untagged.pk].themes.all(), *read[untagged.pk].regions.all()]
    assert [theme.name for theme in themes] == ["Cables", "Space"] and columns(themes) == columns(live.themes.all())
    assert [place.name for place in regions] == ["Japan", "Kenya"] and columns(regions) == columns(live.regions.all())
    assert columns(byline) == columns(live.byline.all()) and columns(authors) == columns(live.authors)
    assert [author.name for author in authors] == ["Zed Writer", "Ann Analyst"] and nothing == []
    draft = make_briefing(title="Never published")
    assert Briefing.objects.with_live_revision().get(pk=draft.pk).live_revision is None
    briefing.refresh_from_db()
    with django_assert_num_queries(1):  # any version, as an old version's page reads it
        latest = Revision.objects.with_tags().get(pk=briefing.latest_revision_id)
        themes, byline = list(latest.themes.all()), list(latest.byline.all())
    assert [theme.name for theme in themes] == ["Sea power"] and not latest.regions.all()
    assert [line.author.name for line in byline] == ["Ann Analyst"]


def test_a_briefing_is_read_for_its_page_with_its_public_history_in_the_same_statement(django_assert_num_queries):
    briefing = make_briefing(title="Cable security", body="Fleet of 12 ships.", publish=True)
    edit(briefing, body="Fleet of 21 ships.")
    publishing.publish(briefing, by=None, change_kind="correction", note="The fleet has 21 ships, not 12.")
    edit(briefing, body="Fleet of 21 ships, two in refit.")  # a draft: not in the public history
    publishing.withdraw(Briefing.objects.get(pk=briefing.pk), by=None, note="Its sources were unreliable.")
    public_log = briefing.state_changes.filter(action__in=PUBLIC_LOG).select_related("revision")
    logged = list(public_log.order_by("effective_at", "id"))
    with django_assert_num_queries(1):
        read = Briefing.objects.for_reading().get(pk=briefing.pk)
        history = read.public_history
        addresses = [change.revision.get_absolute_url() for change in history]
    assert columns(history) == columns(logged)
    assert [change.action for change in history] == ["published", "published", "withdrawn"]
    assert [change.effective_at for change in history] == [change.effective_at for change in logged]
    assert addresses == [change.revision.get_absolute_url() for change in logged]
    assert [change.revision.number for change in history] == [1, 2, 2]
