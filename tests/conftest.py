import pytest
from django.core.cache import cache

from briefings import freshness


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with nothing cached, as after a deploy."""
    cache.clear()
    freshness.WATCHER.forget()


@pytest.fixture(scope="session", autouse=True)
def listening_stops_before_the_test_database_goes(django_db_setup):
    yield
    freshness.WATCHER.close()
