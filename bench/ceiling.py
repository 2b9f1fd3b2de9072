"""The ceiling of this stack on this machine: a bare Django view returning a fixed string, served with
the site's own gunicorn settings, Django settings and middleware. No page can be faster than this.

    gunicorn -c python:briefings.gunicorn bench.ceiling:application
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "briefings.settings")

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402


def fixed_string(request):
    return HttpResponse("Briefings", content_type="text/plain")


urlpatterns = [path("", fixed_string)]

application = get_wsgi_application()
settings.ROOT_URLCONF = __name__
