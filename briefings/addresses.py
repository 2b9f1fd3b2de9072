"""Stable addresses: a changed slug keeps its old address working with a permanent redirect."""

from functools import wraps

from django.http import Http404, HttpResponsePermanentRedirect
from django.urls import resolve, reverse


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
