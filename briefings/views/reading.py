"""Reading a briefing: its page, its versions, its changes, its citation, a reviewer's preview."""

from __future__ import annotations

from dataclasses import replace
from functools import wraps

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache

from .. import diffing, languages, scopes
from ..addresses import redirects_retired_slugs
from ..cards import cards
from ..citations import Citation
from ..models import Briefing, PreviewLink, Revision, StateChange
from ..models.listings import Kind

# Reading a briefing


def published_briefing_or_gone(slug: str) -> Briefing:
    try:  # not .first(): ordering a unique match costs the planner more than the query
        briefing = Briefing.objects.published().for_reading().get(slug=slug)
    except Briefing.DoesNotExist:
        pass
    else:
        scopes.depends_on(scopes.of_briefing(briefing.pk))
        return briefing
    gone = Briefing.objects.gone().filter(slug=slug).values_list("pk", flat=True).first()
    if gone is not None:
        scopes.depends_on(scopes.of_briefing(gone))  # published again, it answers at once
        raise Gone
    raise Http404("No published briefing at this address.")


class Gone(Exception):
    """The briefing was unpublished: its address answers 410."""


def answers_gone(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Gone:
            return render(request, "briefings/gone.html", status=410)

    return wrapper


def published_version_numbers(history: list[StateChange]) -> list[int]:
    return sorted({change.revision.number for change in history if not change.is_withdrawal})


def series_context(briefing: Briefing, revision: Revision) -> dict:
    if revision.series is None:
        return {}
    parts = list(Briefing.objects.listed().in_series(revision.series).select_related("live_revision").only(
        "slug", "published_at", "live_revision__title", "live_revision__part", "live_revision__series"
    ))  # fmt: skip
    scopes.depends_on(scopes.of_list(Kind.SERIES, revision.series_id), *(scopes.of_briefing(p.pk) for p in parts))
    position = next((index for index, part in enumerate(parts) if part.pk == briefing.pk), None)
    return {
        "series_parts": parts,
        "series_position": None if position is None else position + 1,
        "series_previous": parts[position - 1] if position else None,
        "series_next": parts[position + 1] if position is not None and position + 1 < len(parts) else None,
    }


def latest_notice(history: list[StateChange], revision: Revision) -> StateChange | None:
    """The newest correction, clarification or update note up to this version: readers see it first."""
    notes = [c for c in history if c.is_substantive and c.note and c.revision.number <= revision.number]
    return notes[-1] if notes else None


RELATED_COUNT = 4


def related_scopes(briefing: Briefing, related: list[int]) -> set[str]:
    """What "related" read: the related briefings, and the earlier briefings of each of its lists."""
    read = {scopes.of_briefing(pk) for pk in related}
    for kind, tag in briefing.live_revision.tag_lists():
        read |= scopes.earlier_than(kind, tag, briefing.published_at)
    return read


def other_languages(request, briefing: Briefing) -> list[dict]:
    """The briefing's translations (or original and its other translations) readers may see, with the
    addresses and languages a page's alternates and language switcher name."""
    others = list(Briefing.objects.other_languages_of(briefing))
    scopes.depends_on(
        scopes.of_work(briefing.translation_of_id or briefing.pk), *(scopes.of_briefing(b.pk) for b in others)
    )
    return [
        {
            "language": other.language,
            "name": languages.local_name(other.language),
            "url": request.build_absolute_uri(other.get_absolute_url()),
            "is_original": other.translation_of_id is None,
        }
        for other in others
        if other.is_published
    ]


def original_url(request, briefing: Briefing, others: list[dict]) -> str | None:
    """The address of the work's original, if readers may see it: the language-neutral default."""
    if briefing.translation_of_id is None:
        return request.build_absolute_uri(briefing.get_absolute_url())
    return next((other["url"] for other in others if other["is_original"]), None)


def render_in_its_language(request, revision: Revision, template: str, context: dict) -> HttpResponse:
    """A briefing's page speaks the briefing's language, the interface around the text included, whatever
    the address (a briefing's pages are not prefixed)."""
    with translation.override(revision.language):
        return render(request, template, context)


def reading_context(request, briefing: Briefing, revision: Revision) -> dict:
    revision.briefing = briefing
    history = briefing.public_history
    versions = published_version_numbers(history)
    citation = Citation(briefing, revision, request.build_absolute_uri(revision.get_absolute_url()))
    related = Briefing.objects.earlier_sharing_tags_with(briefing, RELATED_COUNT)
    scopes.depends_on(*related_scopes(briefing, related))
    return {
        "briefing": briefing,
        "revision": revision,
        "history": history,
        "versions": versions,
        "notice": latest_notice(history, revision),
        "pdf": revision.pdf_for_readers(briefing),
        "citation": citation,
        "related": cards(related),
        "other_languages": (others := other_languages(request, briefing)),
        "original_url": original_url(request, briefing, others),
        **series_context(briefing, revision),
    }


@answers_gone
@redirects_retired_slugs(slug=Briefing)
def briefing_detail(request, slug: str):
    briefing = published_briefing_or_gone(slug)
    context = reading_context(request, briefing, briefing.live_revision)
    return render_in_its_language(request, briefing.live_revision, "briefings/briefing_detail.html", context)


def published_revision(briefing: Briefing, number: int) -> Revision:
    """A revision of this briefing that readers once saw; drafts and refused edits answer 404."""
    if number == briefing.live_revision.number:
        return briefing.live_revision  # read with the briefing, tags and all
    if number not in published_version_numbers(briefing.public_history):
        raise Http404("No published version of this briefing has that number.")
    revision = briefing.revisions.select_related("series", "pdf").with_tags().get(number=number)
    revision.briefing = briefing
    return revision


@answers_gone
@redirects_retired_slugs(slug=Briefing)
def briefing_version(request, slug: str, number: int):
    briefing = published_briefing_or_gone(slug)
    revision = published_revision(briefing, number)
    context = reading_context(request, briefing, revision)
    context["is_old_version"] = revision != briefing.live_revision
    context["version_published_at"] = next(
        change.effective_at for change in context["history"] if change.revision_id == revision.pk
    )
    return render_in_its_language(request, revision, "briefings/briefing_detail.html", context)


@answers_gone
@redirects_retired_slugs(slug=Briefing)
def briefing_citation(request, slug: str, number: int):
    briefing = published_briefing_or_gone(slug)
    revision = published_revision(briefing, number)
    citation = Citation(briefing, revision, request.build_absolute_uri(revision.get_absolute_url()))
    response = HttpResponse(citation.bibtex(), content_type="application/x-bibtex; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{briefing.slug}-v{revision.number}.bib"'
    return response


@answers_gone
@redirects_retired_slugs(slug=Briefing)
def briefing_changes(request, slug: str):
    """A reader's diff between two published versions."""
    briefing = published_briefing_or_gone(slug)
    versions = published_version_numbers(briefing.public_history)
    if len(versions) < 2:
        raise Http404("This briefing has only one published version.")
    try:
        old_number = int(request.GET.get("from", versions[-2]))
        new_number = int(request.GET.get("to", versions[-1]))
    except ValueError as error:
        raise Http404("Versions are numbers.") from error
    old, new = published_revision(briefing, old_number), published_revision(briefing, new_number)
    changes = [
        replace(change, segments=diffing.elide_unchanged(change.segments))
        for change in diffing.compare(old, new)
        if change.label not in diffing.EDITOR_ONLY_FIELDS and change.label != "Body"
    ]
    context = {
        "briefing": briefing,
        "old": old,
        "new": new,
        "changes": changes,
        "body_changes": diffing.compare_rendered(old.body_html, new.body_html),
        "has_changes": any(change.is_changed for change in changes) or old.body_html != new.body_html,
        "versions": versions,
    }
    return render_in_its_language(request, new, "briefings/briefing_changes.html", context)


@never_cache
def preview(request, token: str):
    """A reviewer's view of the latest draft, through a signed link that expires and can be revoked."""
    link = PreviewLink.objects.for_token(token)
    if link is None:
        return render(request, "briefings/preview_expired.html", status=404)
    briefing = link.briefing
    revision = Revision.objects.select_related("series").with_tags().get(pk=briefing.latest_revision_id)
    context = {"briefing": briefing, "revision": revision, "is_preview": True, "preview_link": link}
    response = render_in_its_language(request, revision, "briefings/briefing_detail.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
