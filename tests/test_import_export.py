"""The briefing file format through the management commands."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from PIL import Image

from briefings.models import Author, Briefing, Region, Series, StateChange, Theme

pytestmark = pytest.mark.django_db

GOOD = """---
title: Japan opens its space intelligence to Ukraine
slug: japan-space-intelligence-ukraine-part-2
standfirst: How Tokyo's doctrine changed.
authors: [Jane Doe, Kenji Sato]
published: 2025-11-03T09:00:00Z
updated: 2025-11-10T14:30:00Z
update_note: Corrected the 2025 defence budget figure.
themes: [Defence policy, Space, Intelligence sharing]
regions: [Japan, UA, Indo-Pacific]
series: Japan and Ukraine in space
part: 2
hero_image: images/dish.png
hero_alt: Satellite dish at dusk
hero_credit: Photo by a test
language: en
---
## Heading

Body text.[^1]

[^1]: Source: https://example.org/report, retrieved 2025-11-01.
"""


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def write_image(folder: Path, name: str = "images/dish.png") -> None:
    (folder / name).parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (30, 20), (10, 60, 120)).save(folder / name)


def run_import(folder: Path, *args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_briefings", str(folder), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_creates_everything_the_file_names(tmp_path):
    write(tmp_path, "a.md", GOOD)
    write_image(tmp_path)
    output, _ = run_import(tmp_path, "--publish")
    assert "1 created" in output
    briefing = Briefing.objects.published().get(slug="japan-space-intelligence-ukraine-part-2")
    revision = briefing.live_revision
    assert [a.name for a in revision.authors] == ["Jane Doe", "Kenji Sato"]
    assert {t.name for t in revision.themes.all()} == {"Defence policy", "Space", "Intelligence sharing"}
    assert {r.name for r in revision.regions.all()} == {"Japan", "Ukraine", "Indo-Pacific"}
    assert Region.objects.get(name="Indo-Pacific").kind == "grouping"
    assert revision.series.title == "Japan and Ukraine in space" and revision.part == 2
    assert revision.hero_image.name.startswith("heroes/") and revision.hero_alt == "Satellite dish at dusk"
    assert briefing.published_at.isoformat() == "2025-11-03T09:00:00+00:00"
    assert briefing.updated_at.isoformat() == "2025-11-10T14:30:00+00:00"
    assert 'id="fn:1"' in revision.body_html


def test_without_publish_briefings_arrive_as_drafts(tmp_path):
    write(
        tmp_path,
        "a.md",
        WITHOUT_IMAGE,
    )
    run_import(tmp_path)
    briefing = Briefing.objects.get()
    assert briefing.status == "draft" and not Briefing.objects.published().exists()


def test_importing_twice_does_not_duplicate_and_a_changed_file_is_a_new_revision(tmp_path):
    write(tmp_path, "a.md", GOOD)
    write_image(tmp_path)
    run_import(tmp_path, "--publish")
    output, _ = run_import(tmp_path, "--publish")
    assert "1 unchanged" in output
    assert Briefing.objects.count() == 1 and Briefing.objects.get().revisions.count() == 1
    write(tmp_path, "a.md", GOOD.replace("Body text.", "Revised body text."))
    output, _ = run_import(tmp_path, "--publish")
    briefing = Briefing.objects.get()
    assert "1 updated" in output and briefing.revisions.count() == 2
    assert "Revised body text." in briefing.live_revision.body


def test_export_import_export_gives_identical_files(tmp_path):
    write(tmp_path / "in", "a.md", GOOD)
    write_image(tmp_path / "in")
    plain = "---\ntitle: Plain one\nauthors: [Jane Doe]\npublished: 2025-01-01\n---\nJust text.\n"
    write(tmp_path / "in", "b.md", plain)
    run_import(tmp_path / "in", "--publish")
    call_command("export_briefings", str(tmp_path / "first"), stdout=io.StringIO(), stderr=io.StringIO())
    run_import(tmp_path / "first", "--publish")
    call_command("export_briefings", str(tmp_path / "second"), stdout=io.StringIO(), stderr=io.StringIO())
    first = sorted(p.relative_to(tmp_path / "first") for p in (tmp_path / "first").rglob("*") if p.is_file())
    second = sorted(p.relative_to(tmp_path / "second") for p in (tmp_path / "second").rglob("*") if p.is_file())
    assert first == second and len(first) == 3
    for relative in first:
        assert (tmp_path / "first" / relative).read_bytes() == (tmp_path / "second" / relative).read_bytes()
    assert (
        "update_note: Corrected the 2025 defence budget figure."
        in (tmp_path / "first" / f"{'japan-space-intelligence-ukraine-part-2'}.md").read_text()
    )


def test_export_of_drafts_needs_the_flag(tmp_path):
    write(tmp_path / "in", "b.md", "---\ntitle: Draft only\n---\nText.\n")
    run_import(tmp_path / "in")
    call_command("export_briefings", str(tmp_path / "out"), stdout=io.StringIO(), stderr=io.StringIO())
    assert not list((tmp_path / "out").glob("*.md"))
    call_command("export_briefings", str(tmp_path / "drafts"), "--drafts", stdout=io.StringIO(), stderr=io.StringIO())
    assert (tmp_path / "drafts" / "draft-only.md").read_text().startswith("---\ntitle: Draft only\n")


BAD_FILES = {
    "not-utf8.md": (b"---\ntitle: Caf\xe9\n---\nx", "not valid UTF-8"),
    "no-front-matter.md": ("Just a body", "no front matter"),
    "unclosed.md": ("---\ntitle: x\nbody", "not closed"),
    "bad-yaml.md": ("---\ntitle: [unclosed\n---\nx", "bad YAML"),
    "no-title.md": ("---\nstandfirst: x\n---\nx", "no title"),
    "unknown-key.md": ("---\ntitle: x\nauthor: Typo Name\n---\nx", "unknown key author"),
    "bad-date.md": ("---\ntitle: x\npublished: next Tuesday\n---\nx", "published is not an ISO 8601 date"),
    "bad-part.md": ("---\ntitle: x\nseries: S\npart: two\n---\nx", "part must be a whole number"),
    "missing-alt.md": ("---\ntitle: x\nhero_image: images/dish.png\n---\nx", "hero_alt is required"),
    "missing-image.md": ("---\ntitle: x\nhero_image: images/none.png\nhero_alt: y\n---\nx", "does not exist"),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_each_kind_of_bad_file_is_refused_with_one_clear_line_and_writes_nothing(tmp_path, name):
    content, message = BAD_FILES[name]
    if isinstance(content, str):  # names that would be created if the file were half-imported
        content = content.replace("title: x", "title: x\nauthors: [Orphan Author]\nthemes: [Orphan theme]")
    write(tmp_path, name, content)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 of 1 files were refused"):
        call_command("import_briefings", str(tmp_path), stdout=out, stderr=err)
    lines = err.getvalue().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"refused {name}: ") and message in lines[0]
    assert not Briefing.objects.exists() and not Author.objects.exists() and not Series.objects.exists()
    assert not Theme.objects.exists()


def test_a_body_over_the_limit_is_refused(tmp_path, settings):
    settings.BRIEFING_BODY_MAX_CHARS = 100
    write(tmp_path, "long.md", "---\ntitle: Long\n---\n" + "word " * 50)
    with pytest.raises(CommandError):
        run_import(tmp_path)
    assert not Briefing.objects.exists()


def test_a_fake_image_is_refused_and_leaves_no_file_or_rows(tmp_path, settings):
    write(tmp_path, "a.md", GOOD)
    write(tmp_path, "images/dish.png", b"<html><script>alert(1)</script></html>")
    with pytest.raises(CommandError):
        run_import(tmp_path, "--publish")
    assert not Briefing.objects.exists() and not Author.objects.exists()
    assert not [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


def test_good_files_land_beside_refused_ones(tmp_path):
    write(tmp_path, "good.md", "---\ntitle: Good one\n---\nText.\n")
    write(tmp_path, "bad.md", "---\ntitle: Bad one\ncolour: red\n---\nText.\n")
    with pytest.raises(CommandError, match="1 of 2 files were refused"):
        run_import(tmp_path)
    assert list(Briefing.objects.values_list("title", flat=True)) == ["Good one"]


def test_importing_an_updated_published_file_records_an_update(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: T\nauthors: Jane Doe\npublished: 2025-01-01T00:00:00Z\n---\nFirst.\n")
    run_import(tmp_path, "--publish")
    write(
        tmp_path,
        "a.md",
        "---\ntitle: T\nauthors: Jane Doe\npublished: 2025-01-01T00:00:00Z\nupdated: 2025-02-01T00:00:00Z\n"
        "update_note: New figures.\n---\nSecond.\n",
    )
    run_import(tmp_path, "--publish")
    briefing = Briefing.objects.get()
    change = briefing.state_changes.filter(action=StateChange.Action.PUBLISHED).first()
    assert change.change_kind == "update" and change.note == "New figures."
    assert briefing.updated_at.isoformat() == "2025-02-01T00:00:00+00:00"


def test_a_file_without_authors_is_refused_for_publication_with_a_clear_message(tmp_path):
    write(tmp_path, "a.md", "---\ntitle: Anonymous\n---\nText.\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 of 1 files were refused"):
        call_command("import_briefings", str(tmp_path), "--publish", stdout=io.StringIO(), stderr=err)
    assert err.getvalue().startswith("refused a.md: not published: Name at least one author")
    assert not Briefing.objects.exists()  # the file is refused whole
    run_import(tmp_path)
    assert Briefing.objects.get().state == "draft"


def test_a_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="is not a folder"):
        run_import(tmp_path / "nope")


@pytest.mark.parametrize("language", ['"en; <script>"', "de", "en-GB"])
def test_a_language_not_the_sites_is_refused(tmp_path, language):
    write(tmp_path, "a.md", f"---\ntitle: T\nlanguage: {language}\n---\nText.\n")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_briefings", str(tmp_path), stdout=io.StringIO(), stderr=err)
    assert "is not one of the site's languages: en (English), fr (French)." in err.getvalue()
    assert not Briefing.objects.exists()


WITHOUT_IMAGE = GOOD.replace("hero_image: images/dish.png\n", "").replace("hero_alt: Satellite dish at dusk\n", "")
HOSTILE_FRONT_MATTER = {
    "deep.md": ("title: Deep\nregions: " + "[" * 20_000 + "]" * 20_000, "nests too deep"),
    "laughs.md": (
        "title: Laughs\n"
        + "\n".join(f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}" if n else '"lol"'] * 10) + "]" for n in range(10))
        + "\npublished: *l9",
        "aliases",
    ),
    "crowd.md": ("title: Crowd\nauthors: [" + ", ".join(f"Author {n}" for n in range(1_000)) + "]", "at most 50"),
    "long-name.md": ("title: Long\nthemes: [" + "x" * 5_000 + "]", "over 120 characters"),
    "escape.md": ("title: Escape\nhero_image: ../outside.png\nhero_alt: An image", "inside the folder"),
    "huge.md": ("title: Huge\nstandfirst: " + "word " * 20_000, "front matter is over the limit"),
}


def test_hostile_front_matter_is_refused_file_by_file_and_the_import_goes_on(tmp_path):
    """Reproduces the reports: deep nesting aborted the whole command, an aliased value used 2.5 GB,
    5,000 names made 5,000 authors, and a hero image could be read from outside the folder."""
    folder = tmp_path / "in"
    for name, (front_matter, _) in HOSTILE_FRONT_MATTER.items():
        write(folder, name, f"---\n{front_matter}\n---\nBody.\n")
    write_image(tmp_path, "outside.png")
    write(folder, "zz-good.md", WITHOUT_IMAGE)
    err = io.StringIO()
    with pytest.raises(CommandError, match="6 of 7 files were refused"):
        call_command("import_briefings", str(folder), stdout=io.StringIO(), stderr=err)
    lines = [line for line in err.getvalue().splitlines() if line.startswith("refused")]
    assert len(lines) == len(HOSTILE_FRONT_MATTER)
    for name, (_, reason) in HOSTILE_FRONT_MATTER.items():
        assert any(line.startswith(f"refused {name}:") and reason in line for line in lines), name
    assert list(Briefing.objects.values_list("slug", flat=True)) == ["japan-space-intelligence-ukraine-part-2"]
    assert Author.objects.count() == 2


def test_a_database_failure_names_the_file_it_was_on(tmp_path):
    write(tmp_path, "a-first.md", WITHOUT_IMAGE)
    write(tmp_path, "b-doomed.md", "---\ntitle: Doomed\n---\nBody.\n")
    with connection.cursor() as cursor:  # the database refuses this one row, as a full disk would every row
        cursor.execute(
            "CREATE FUNCTION refuse_doomed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF NEW.slug = 'doomed' THEN RAISE EXCEPTION 'could not extend file: No space left on device'; END IF; "
            "RETURN NEW; END $$; "
            "CREATE TRIGGER refuse_doomed BEFORE INSERT ON briefings_briefing "
            "FOR EACH ROW EXECUTE FUNCTION refuse_doomed()"
        )
    with pytest.raises(CommandError, match=r"failed while importing b-doomed\.md.*1 file\(s\) before it were"):
        run_import(tmp_path)
    assert not Briefing.objects.filter(slug="doomed").exists()


ORIGINAL = "---\ntitle: Satellites over the Arctic\nauthors: [Jane Doe]\npublished: 2025-01-01T09:00:00Z\n---\nText.\n"
FRENCH = (
    "---\ntitle: Des satellites au-dessus de l'Arctique\nslug: satellites-arctique\nauthors: [Jane Doe]\n"
    "published: 2025-02-01T09:00:00Z\nlanguage: fr\ntranslation_of: satellites-over-the-arctic\n---\nTexte.\n"
)


def test_a_translation_is_linked_to_its_original_and_survives_the_round_trip(tmp_path):
    write(tmp_path / "in", "a-translation.md", FRENCH)  # before its original in the folder's order
    write(tmp_path / "in", "b-original.md", ORIGINAL)
    out, err = run_import(tmp_path / "in", "--publish")
    assert "2 created" in out and err == ""
    french = Briefing.objects.get(slug="satellites-arctique")
    assert french.translation_of.slug == "satellites-over-the-arctic" and french.language == "fr"
    call_command("export_briefings", str(tmp_path / "first"), stdout=io.StringIO(), stderr=io.StringIO())
    exported = (tmp_path / "first" / "satellites-arctique.md").read_text()
    assert "language: fr\ntranslation_of: satellites-over-the-arctic\n---" in exported
    assert "translation_of" not in (tmp_path / "first" / "satellites-over-the-arctic.md").read_text()
    out, _ = run_import(tmp_path / "first", "--publish")
    assert "2 unchanged" in out
    call_command("export_briefings", str(tmp_path / "second"), stdout=io.StringIO(), stderr=io.StringIO())
    for name in ("satellites-arctique.md", "satellites-over-the-arctic.md"):
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes()


@pytest.mark.parametrize(
    ("translation", "problem"),
    [
        (FRENCH.replace("translation_of: satellites-over-the-arctic", "translation_of: nope"),
         "translation_of: no briefing has the slug nope"),
        (FRENCH.replace("language: fr", "language: en"),
         "translation_of: The work is already written in English: satellites-over-the-arctic."),
    ],
)  # fmt: skip
def test_a_translation_of_nothing_or_in_a_language_its_work_has_is_refused(tmp_path, translation, problem):
    write(tmp_path, "a.md", ORIGINAL)
    write(tmp_path, "b.md", translation)
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 of 2 files were refused"):
        call_command("import_briefings", str(tmp_path), stdout=io.StringIO(), stderr=err)
    assert f"refused b.md: {problem}" in err.getvalue()
    assert list(Briefing.objects.values_list("slug", flat=True)) == ["satellites-over-the-arctic"]


def test_a_file_cannot_move_a_briefing_into_or_out_of_a_work(tmp_path):
    write(tmp_path, "a.md", ORIGINAL)
    write(tmp_path, "b.md", FRENCH)
    run_import(tmp_path)
    write(tmp_path, "b.md", FRENCH.replace("translation_of: satellites-over-the-arctic\n", ""))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_briefings", str(tmp_path), stdout=io.StringIO(), stderr=err)
    assert "translation_of: satellites-arctique is a translation; the file must say of what" in err.getvalue()
    assert Briefing.objects.get(slug="satellites-arctique").latest_revision.number == 1
