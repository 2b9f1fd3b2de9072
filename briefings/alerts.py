"""What a reader can follow by email: a scope read from the address of the page they were on, the same
words and filters the page itself takes, and the signed links that carry a request to the inbox and back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from django.core import signing
from django.utils.translation import gettext

from . import languages
from .models import Author, Region, Series, SubscriberList, Theme
from .search import clean_query

Kind = SubscriberList.Kind
CONFIRMATION_MAX_AGE = 7 * 24 * 3600  # seconds a confirmation link works
CONFIRM_SALT, MANAGE_SALT, UNSUBSCRIBE_SALT = "alerts.confirm", "alerts.manage", "alerts.unsubscribe"
TAGS = {"theme": Theme, "region": Region, "author": Author, "series": Series}


class UnknownScope(ValueError):
    """The address names something that is not there to follow."""


@dataclass(frozen=True)
class Scope:
    kind: str
    title: str
    key: str
    tags: dict = field(default_factory=dict)  # the Theme, Region, Author or Series objects, by name
    search: dict = field(default_factory=dict)  # a search's words and filters, as slugs and strings

    def query(self) -> dict[str, str]:
        """The scope as the signup page's address takes it back."""
        if self.kind == Kind.SEARCH:
            return dict(self.search)
        return {name: tag.slug for name, tag in self.tags.items()}


def scope_from(params: Mapping[str, str]) -> Scope:
    """A search when there are words; otherwise the tags named (a theme, a region, both, an author or a
    series), or every briefing. Raises UnknownScope for anything else."""
    words = clean_query(params.get("q", ""))
    if words:
        return search_scope(words, params)
    tags = named_tags(params, TAGS)
    names = set(tags)
    if not names:
        return Scope(Kind.EVERYTHING, gettext("Every new briefing"), "everything")
    if names == {"theme", "region"}:
        theme, region = tags["theme"], tags["region"]
        key = f"theme-region:{theme.pk}:{region.pk}"
        return Scope(Kind.THEME_REGION, theme_in_region(theme, region), key, tags)
    if len(names) > 1:
        raise UnknownScope("Follow one theme, region, author or series at a time, or a theme in a region.")
    ((name, tag),) = tags.items()
    return Scope(Kind(name), label(tag), f"{name}:{tag.pk}", tags)


def label(tag) -> str:
    """A tag's name as readers of the interface's language know it."""
    return str(tag)


def theme_in_region(theme: Theme, region: Region) -> str:
    return gettext("%(theme)s in %(region)s") % {"theme": label(theme), "region": label(region)}


def named_tags(params: Mapping[str, str], models: dict) -> dict:
    tags = {}
    for name, model in models.items():
        slug = params.get(name)
        if slug:
            tag = model.objects.filter(slug=slug).first()
            if tag is None:
                raise UnknownScope(f"There is no {name} “{slug}” to follow.")
            tags[name] = tag
    return tags


def search_scope(words: str, params: Mapping[str, str]) -> Scope:
    search = {"q": words}
    filters = named_tags(params, TAGS)
    search |= {name: tag.slug for name, tag in filters.items()}
    for name in ("year", "from", "to"):
        value = params.get(name, "")
        if value:
            search[name] = valid_date_filter(name, value)
    language = params.get("language", "")
    if language:
        if language not in languages.codes():
            raise UnknownScope("No such language.")
        search["language"] = language
    labels = [label(tag) for tag in filters.values()]
    labels += [search[name] for name in ("year", "from", "to") if name in search]
    labels += [languages.local_name(language)] if language else []
    title = gettext("Briefings matching “%(words)s”") % {"words": words} + (f" ({', '.join(labels)})" if labels else "")
    return Scope(Kind.SEARCH, title, SubscriberList.search_key(search), filters, search)


def valid_date_filter(name: str, value: str) -> str:
    try:
        return str(int(value)) if name == "year" else date.fromisoformat(value).isoformat()
    except ValueError as error:
        raise UnknownScope("Years are numbers and dates are written YYYY-MM-DD.") from error


# Signed links: what an email carries, checked when it comes back.


def confirmation_token(address: str, scope: Scope, frequency: str) -> str:
    return signing.dumps({"a": address, "s": scope.query(), "f": frequency}, salt=CONFIRM_SALT, compress=True)


def read_confirmation(token: str) -> tuple[str, Scope, str]:
    """The address, scope and frequency a confirmation link asks for; raises signing.BadSignature (and
    SignatureExpired) for a link that was altered or is too old, UnknownScope if its scope has gone."""
    data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRMATION_MAX_AGE)
    return data["a"], scope_from(data["s"]), data["f"]


def manage_token(subscriber_id: int) -> str:
    return signing.dumps(subscriber_id, salt=MANAGE_SALT)


def unsubscribe_token(subscription_ids: list[int]) -> str:
    """Stops the lists an email came from: one for an alert, each list a digest gathered."""
    return signing.dumps(subscription_ids, salt=UNSUBSCRIBE_SALT)


def read_token(token: str, salt: str):
    return signing.loads(token, salt=salt)
