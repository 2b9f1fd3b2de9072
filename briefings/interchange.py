"""The briefing file format (shared/briefing-format.md): Markdown with YAML front matter, read and written."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.text import slugify

from . import publishing
from .front_matter import FRONT_MATTER_MAX_CHARS, BriefingFileError, load_front_matter
from .images import reencode_image
from .models import Author, Briefing, Region, Revision, Series, StateChange, Theme
from .models.workflow import Step
from .regions import find_region

FRONT_MATTER_KEYS = [
    "title", "slug", "standfirst", "authors", "published", "updated", "update_note", "themes",
    "regions", "series", "part", "hero_image", "hero_alt", "hero_credit", "language", "translation_of",
]  # fmt: skip
DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
NAMES_MAX = 50  # authors, themes or regions in one file
NAME_MAX_CHARS = 120


@dataclass
class BriefingFile:
    title: str
    slug: str
    body: str
    standfirst: str = ""
    authors: list[str] = field(default_factory=list)
    published: datetime | None = None
    updated: datetime | None = None
    update_note: str = ""
    themes: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    series: str = ""
    part: int | None = None
    hero_image: Path | None = None
    hero_alt: str = ""
    hero_credit: str = ""
    language: str = "en"
    translation_of: str = ""  # the slug of the briefing it translates


class WaitsForOriginal(BriefingFileError):
    """A translation whose original is not (yet) imported: the importer tries it again after the rest."""


# Reading


def parse_briefing_file(path: Path) -> BriefingFile:
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise BriefingFileError(f"not valid UTF-8 (byte {error.start})") from error
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    if not text.startswith("---\n"):
        raise BriefingFileError("no front matter: the file must start with a line of three dashes")
    header, separator, body = text[4:].partition("\n---\n")
    if not separator:
        header, separator, body = text[4:].partition("\n---")
        if not separator or body.strip():
            raise BriefingFileError("front matter is not closed by a line of three dashes")
    if len(header) > FRONT_MATTER_MAX_CHARS:
        raise BriefingFileError(f"the front matter is over the limit of {FRONT_MATTER_MAX_CHARS:,} characters")
    try:
        data = load_front_matter(header) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark else ""
        raise BriefingFileError(f"bad YAML in the front matter{where}: {getattr(error, 'problem', error)}") from error
    if not isinstance(data, dict):
        raise BriefingFileError("the front matter must be a set of `key: value` lines")
    return briefing_file_from(data, body.lstrip("\n"), path.parent)


def briefing_file_from(data: dict, body: str, folder: Path) -> BriefingFile:
    unknown = sorted(set(map(str, data)) - set(FRONT_MATTER_KEYS))
    if unknown:
        raise BriefingFileError(f"unknown key {', '.join(unknown)} (known keys: {', '.join(FRONT_MATTER_KEYS)})")
    title = text_value(data, "title")
    if not title:
        raise BriefingFileError("no title")
    slug = slugify(text_value(data, "slug") or title)[:250]
    if not slug:
        raise BriefingFileError("no usable slug: give one made of letters, digits and dashes")
    hero_image = None
    if data.get("hero_image"):
        hero_image = (folder / text_value(data, "hero_image")).resolve()
        if not text_value(data, "hero_alt"):
            raise BriefingFileError("hero_alt is required when hero_image is given")
        if not hero_image.is_relative_to(folder.resolve()):
            raise BriefingFileError("hero_image must be a file inside the folder being imported")
        if not hero_image.is_file():
            raise BriefingFileError(f"hero_image {text_value(data, 'hero_image')} does not exist")
    return BriefingFile(
        title=title,
        slug=slug,
        body=body,
        standfirst=text_value(data, "standfirst"),
        authors=list_value(data, "authors"),
        published=date_value(data, "published"),
        updated=date_value(data, "updated"),
        update_note=text_value(data, "update_note"),
        themes=list_value(data, "themes"),
        regions=list_value(data, "regions"),
        series=text_value(data, "series"),
        part=part_value(data),
        hero_image=hero_image,
        hero_alt=text_value(data, "hero_alt"),
        hero_credit=text_value(data, "hero_credit"),
        language=text_value(data, "language") or "en",
        translation_of=text_value(data, "translation_of"),
    )


def text_value(data: dict, key: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        raise BriefingFileError(f"{key} must be a single value")
    return str(value).strip()


def list_value(data: dict, key: str) -> list[str]:
    value = data.get(key)
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    if any(isinstance(item, (dict, list)) for item in items):
        raise BriefingFileError(f"{key} must be a list of names")
    names = [str(item).strip() for item in items if str(item).strip()]
    if len(names) > NAMES_MAX:
        raise BriefingFileError(f"{key} lists {len(names):,} names; at most {NAMES_MAX} are allowed")
    if any(len(name) > NAME_MAX_CHARS for name in names):
        raise BriefingFileError(f"a name in {key} is over {NAME_MAX_CHARS} characters")
    return names


def date_value(data: dict, key: str) -> datetime | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip())
        except ValueError as error:
            raise BriefingFileError(f"{key} is not an ISO 8601 date: {value!r}") from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def part_value(data: dict) -> int | None:
    value = data.get("part")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise BriefingFileError(f"part must be a whole number from 1: {value!r}")
    if not data.get("series"):
        raise BriefingFileError("part is given without a series")
    return value


# Importing


@dataclass
class ImportResult:
    briefing: Briefing
    outcome: str  # "created", "updated" or "unchanged"
    dropped_markup: list[str]


def import_briefing_file(path: Path, *, publish: bool) -> ImportResult:
    """Import one file in one transaction: it lands whole, or not at all."""
    parsed = parse_briefing_file(path)
    hero_name, is_new_image = store_hero_image(parsed.hero_image) if parsed.hero_image else ("", False)
    try:
        return import_parsed(parsed, path, hero_name, publish=publish)
    except Exception:
        if is_new_image:
            default_storage.delete(hero_name)
        raise


def import_parsed(parsed: BriefingFile, path: Path, hero_name: str, *, publish: bool) -> ImportResult:
    with transaction.atomic():
        briefing = Briefing.objects.filter(slug=parsed.slug).first()
        outcome = "created" if briefing is None else "updated"
        tags = publishing.BriefingTags(
            themes=[theme_named(name) for name in parsed.themes],
            regions=[region_named(name) for name in parsed.regions],
            authors=[author_named(name) for name in parsed.authors],
        )
        content = content_of(parsed, hero_name)
        if briefing is not None:
            original_of(parsed, briefing)
        dropped: list[str] = []
        if briefing and briefing.latest_revision.has_content(content, tags.themes, tags.regions, tags.authors):
            outcome = "unchanged"
        else:
            briefing = briefing or Briefing(translation_of=original_of(parsed, None))
            note = f"Imported from {path.name}"
            try:
                dropped = publishing.save_draft(briefing, content=content, tags=tags, by=None, note=note).dropped_markup
            except ValidationError as error:
                problems = "; ".join(f"{key}: {messages[0]}" for key, messages in error.message_dict.items())
                raise BriefingFileError(problems) from error
        if publish:
            try:
                publish_imported(briefing, parsed)
            except publishing.WorkflowError as error:
                raise BriefingFileError(f"not published: {error}") from error
    return ImportResult(briefing=briefing, outcome=outcome, dropped_markup=dropped)


def original_of(parsed: BriefingFile, briefing: Briefing | None) -> Briefing | None:
    """The original the file's briefing translates (its work's, locked), or None; refused when the file
    would change which work a briefing belongs to, or give a work a second briefing in one language."""
    if not parsed.translation_of:
        if briefing is not None and briefing.translation_of_id:
            raise BriefingFileError(f"translation_of: {briefing.slug} is a translation; the file must say of what")
        return None
    source = Briefing.objects.filter(slug=parsed.translation_of).first()
    if source is None:
        raise WaitsForOriginal(f"translation_of: no briefing has the slug {parsed.translation_of}")
    if briefing is not None and briefing.translation_of_id != (source.translation_of_id or source.pk):
        raise BriefingFileError(f"translation_of: {briefing.slug} is not a translation of {parsed.translation_of}")
    try:
        return publishing.original_to_translate(source, parsed.language, translation=briefing)
    except publishing.WorkflowError as error:
        raise BriefingFileError(f"translation_of: {error}") from error


def content_of(parsed: BriefingFile, hero_name: str) -> dict:
    return {
        "slug": parsed.slug,
        "title": parsed.title,
        "standfirst": parsed.standfirst,
        "body": parsed.body,
        "hero_image": hero_name,
        "hero_alt": parsed.hero_alt,
        "hero_credit": parsed.hero_credit,
        "series": series_titled(parsed.series) if parsed.series else None,
        "part": parsed.part,
        "language": parsed.language,
        "update_note": parsed.update_note,
    }


def publish_imported(briefing: Briefing, parsed: BriefingFile) -> None:
    """Publish what was imported, unless it is live already or its state takes no publication (withdrawn)."""
    briefing.refresh_from_db()
    if not briefing.can(Step.PUBLISH, None) or (briefing.is_scheduled and not briefing.has_unpublished_changes):
        return
    is_update = parsed.updated is not None and parsed.updated != briefing.updated_at
    publishing.publish(
        briefing,
        by=None,
        note=parsed.update_note if is_update else "Imported",
        change_kind=StateChange.ChangeKind.UPDATE if is_update else StateChange.ChangeKind.MINOR,
        at=None if briefing.is_published else parsed.published,
        updated_at=parsed.updated,
        alert_followers=False,  # an archive moved in is not news to anyone following the site
    )


def store_hero_image(path: Path) -> tuple[str, bool]:
    """Store a hero image under a name derived from its re-encoded bytes.

    Bytes that already carry such a name are our own earlier output, so an exported image comes
    back under the same name and export → import → export gives identical files.
    """
    data = path.read_bytes()
    extension = path.suffix.lower().lstrip(".")
    own_name = f"heroes/{hashlib.sha256(data).hexdigest()[:32]}.{extension}"
    if default_storage.exists(own_name):
        return own_name, False
    try:
        encoded, extension = reencode_image(data)
    except ValidationError as error:
        raise BriefingFileError(f"hero_image {path.name}: {error.messages[0]}") from error
    name = f"heroes/{hashlib.sha256(encoded).hexdigest()[:32]}.{extension}"
    if default_storage.exists(name):
        return name, False
    return default_storage.save(name, ContentFile(encoded)), True


def theme_named(label: str) -> Theme:
    theme = Theme.objects.filter(name__iexact=label).first() or Theme.objects.filter(slug=slugify(label)).first()
    return theme or Theme.objects.create(name=label, slug=unique_slug(Theme, label))


def region_named(label: str) -> Region:
    return find_region(label) or Region.objects.create(name=label, slug=unique_slug(Region, label))


def author_named(label: str) -> Author:
    author = Author.objects.filter(name__iexact=label).first() or Author.objects.filter(slug=slugify(label)).first()
    return author or Author.objects.create(name=label, slug=unique_slug(Author, label))


def series_titled(label: str) -> Series:
    series = Series.objects.filter(title__iexact=label).first() or Series.objects.filter(slug=slugify(label)).first()
    return series or Series.objects.create(title=label, slug=unique_slug(Series, label))


def unique_slug(model, label: str) -> str:
    base = slugify(label)[:90] or model._meta.model_name
    slug, counter = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


# Writing


def exportable_briefings(*, drafts: bool):
    briefings = Briefing.objects.order_by("slug")
    if not drafts:
        briefings = briefings.filter(status=Briefing.Status.PUBLISHED)
    revision = "latest_revision" if drafts else "live_revision"
    return briefings.select_related(f"{revision}__series", "translation_of").prefetch_related(
        f"{revision}__themes", f"{revision}__regions", f"{revision}__byline__author"
    )


def export_briefing(briefing: Briefing, folder: Path, *, drafts: bool) -> Path:
    revision = briefing.latest_revision if drafts else briefing.live_revision
    hero = ""
    if revision.hero_image:
        hero = f"images/{Path(revision.hero_image.name).name}"
        (folder / "images").mkdir(exist_ok=True)
        with revision.hero_image.open("rb") as image:
            (folder / hero).write_bytes(image.read())
    path = folder / f"{briefing.slug}.md"
    path.write_text(render_briefing_file(briefing, revision, hero), encoding="utf-8")
    return path


def render_briefing_file(briefing: Briefing, revision: Revision, hero: str) -> str:
    values = {
        "title": revision.title,
        "slug": briefing.slug,
        "standfirst": revision.standfirst,
        "authors": [author.name for author in revision.authors],
        "published": briefing.published_at,
        "updated": briefing.updated_at,
        "update_note": revision.update_note,
        "themes": sorted(theme.name for theme in revision.themes.all()),
        "regions": sorted(region.name for region in revision.regions.all()),
        "series": revision.series.title if revision.series else "",
        "part": revision.part,
        "hero_image": hero,
        "hero_alt": revision.hero_alt if hero else "",
        "hero_credit": revision.hero_credit if hero else "",
        "language": revision.language,
        "translation_of": briefing.translation_of.slug if briefing.translation_of_id else "",
    }
    lines = [f"{key}: {yaml_scalar(value)}" for key, value in values.items() if value not in (None, "", [])]
    return "---\n" + "\n".join(lines) + "\n---\n" + revision.body.rstrip("\n") + "\n"


def yaml_scalar(value) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime(DATE_FORMAT)
    dumped = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000)
    return dumped.removesuffix("\n").removesuffix("\n...")
