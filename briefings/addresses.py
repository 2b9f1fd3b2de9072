"""Addresses: reversed quickly for the many links of a list or feed, and stable, a changed slug keeping its
old address working with a permanent redirect."""

import re
from functools import lru_cache, wraps

from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import get_script_prefix, resolve, reverse
from django.utils.translation import get_language

SLUG = re.compile(r"[-a-zA-Z0-9_]+")  # what the slug converter takes and writes unquoted


def address(name: str, **kwargs: str | int) -> str:
    """reverse(name, kwargs=kwargs) where the values are slugs and numbers, for a fraction of its cost.

    reverse() reads five context-local settings and checks its result against the pattern each time; a
    feed's or a list's links asked for it dozens of times a page. Here each pattern is reversed once (for
    each script prefix and language: no request of this project sets a URLconf of its own) with
    placeholders, and the values take their places. Any other value is left to reverse() itself, errors
    included."""
    if not all(map(is_plain, kwargs.values())):
        return reverse(name, kwargs=kwargs)
    kinds = tuple((key, isinstance(value, int)) for key, value in kwargs.items())
    values = list(kwargs.values())
    parts = address_parts(name, kinds, get_script_prefix(), get_language())
    return "".join(part if isinstance(part, str) else str(values[part]) for part in parts)


def is_plain(value) -> bool:
    """A slug or a number, which patterns write as they are."""
    return bool(SLUG.fullmatch(value)) if isinstance(value, str) else isinstance(value, int) and value >= 0


@lru_cache(maxsize=256)
def address_parts(name: str, kinds: tuple, *context) -> tuple[str | int, ...]:
    """The pattern reversed, as its text between the values and each value's index; `context` keys the
    cache on what reverse() reads."""
    # Written nowhere else in an address: a number no page has, a slug no pattern's words make.
    placeholders = {
        str(8_000_000_000_000 + index) if is_number else f"{key}--placeholder--": index
        for index, (key, is_number) in enumerate(kinds)
    }
    written = reverse(name, kwargs={key: text for (key, _), text in zip(kinds, placeholders, strict=True)})
    pieces = re.split(f"({'|'.join(map(re.escape, placeholders))})", written)
    return tuple(placeholders.get(piece, piece) for piece in pieces)


def redirects_retired_slugs(**models_by_kwarg):
    """Answer an old address with a permanent redirect to the object's current one."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except Http404:
                current = dict(kwargs)
                for kwarg, model in models_by_kwarg.items():
                    if not model.objects.filter(slug=kwargs[kwarg]).exists():
                        moved = model.find_by_retired_slug(kwargs[kwarg])
                        if moved is None:
                            raise
                        current[kwarg] = moved.slug
                if current == kwargs:
                    raise
                url = reverse(f"briefings:{resolve(request.path_info).url_name}", kwargs=current)
                query = request.META.get("QUERY_STRING")
                return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)

        return wrapper

    return decorator
