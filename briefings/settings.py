"""Settings for Briefings, read from the environment with safe production defaults."""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF

from briefings.languages import site_languages

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_flag("DEBUG")

# Without a key, Django refuses any use of it (sessions, signing) rather than run insecurely.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if DEBUG and not SECRET_KEY:
    SECRET_KEY = "insecure-local-development-key-only-for-debug-runs-0123456789"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "markdownx",
    "axes",
    "procrastinate.contrib.django",
    "briefings",
]

MIDDLEWARE = [
    "briefings.middleware.RejectNullBytesMiddleware",
    "briefings.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "briefings.middleware.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "briefings.middleware.AddressLanguageMiddleware",  # before the cache: an address resolves in its language
    "briefings.caching.PublicPageCacheMiddleware",  # before sessions: a cached page needs none of what follows
    "briefings.outage.OutageMiddleware",  # while the database is away, what the cache cannot answer is a 503
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "briefings.urls"
WSGI_APPLICATION = "briefings.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "briefings.context_processors.site",
            ],
        },
    },
]


def local_cluster_database() -> dict:
    """The project's private PostgreSQL cluster (see `manage.py pgcluster`), reached by its socket."""
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "briefings",
        "USER": "briefings",
        "HOST": str(BASE_DIR / "var" / "postgres" / "socket"),
    }


if os.environ.get("DATABASE_URL"):
    default_database = dj_database_url.parse(os.environ["DATABASE_URL"])
else:
    default_database = local_cluster_database()
# A psycopg pool replaces persistent connections. With DATABASE_HEALTH_CHECKS the pool tests each
# connection before handing it out (a round trip on every request); without, a connection that broke
# while idle fails one request and is replaced.
default_database["CONN_MAX_AGE"] = 0
default_database["CONN_HEALTH_CHECKS"] = env_flag("DATABASE_HEALTH_CHECKS")
default_database.setdefault("OPTIONS", {})["pool"] = {
    "min_size": int(os.environ.get("DATABASE_POOL_MIN", "1")),
    "max_size": int(os.environ.get("DATABASE_POOL_MAX", "8")),
    # A worker's threads never outnumber its connections, so a wait means the database is unreachable.
    "timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT", "1")),
}
DATABASES = {"default": default_database}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The languages briefings are written in, ISO 639-1, the site's own first (briefings/languages.py).
LANGUAGES = site_languages(env_list("SITE_LANGUAGES", "en,fr"))
LANGUAGE_CODE = LANGUAGES[0][0]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
FORMAT_MODULE_PATH = ["briefings.formats"]  # dates written one way everywhere (briefings/formats/)
USE_I18N = True
LOCALE_PATHS = [BASE_DIR / "briefings" / "locale"]  # the interface's translations (make messages)
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Editors' uploads go to an S3-compatible bucket when one is named, so that any number of machines
# serve the same files; otherwise to MEDIA_ROOT, served by the app.
MEDIA_BUCKET = os.environ.get("MEDIA_BUCKET", "")
STORAGES = {
    "default": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_BUCKET,
            "endpoint_url": os.environ.get("MEDIA_ENDPOINT_URL") or None,
            "region_name": os.environ.get("MEDIA_REGION") or None,
            "custom_domain": os.environ.get("MEDIA_CUSTOM_DOMAIN") or None,
            "querystring_auth": False,  # images in published briefings are public
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }
    if MEDIA_BUCKET
    else {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

LOGIN_URL = "admin:login"

# Security: strict by default, relaxed only where DEBUG serves plain HTTP on loopback.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_flag("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_flag("SECURE_HSTS_PRELOAD", not DEBUG)
if env_flag("BEHIND_TLS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    AXES_IPWARE_PROXY_COUNT = 1  # the client's address is the one the proxy saw
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]


# Public pages run no script: they may load styles, images and fonts from this site (and images from the
# media host) and nothing else. The admin adds its own scripts and the editor's preview requests
# (briefings.middleware builds both headers once with django-csp). MEDIA_ORIGIN overrides where
# images may come from.
def media_origins() -> list[str]:
    """Where uploaded images are served from, when not from this site."""
    if os.environ.get("MEDIA_CUSTOM_DOMAIN"):
        return [f"https://{os.environ['MEDIA_CUSTOM_DOMAIN']}"]
    if MEDIA_BUCKET and os.environ.get("MEDIA_ENDPOINT_URL"):
        return ["{0.scheme}://{0.netloc}".format(urlsplit(os.environ["MEDIA_ENDPOINT_URL"]))]
    if MEDIA_BUCKET:
        region = os.environ.get("MEDIA_REGION")
        return [f"https://{MEDIA_BUCKET}.s3{'.' + region if region else ''}.amazonaws.com"]
    return ["{0.scheme}://{0.netloc}".format(urlsplit(MEDIA_URL))] if urlsplit(MEDIA_URL).netloc else []


MEDIA_ORIGINS = env_list("MEDIA_ORIGIN") or media_origins()
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "style-src": [SELF],
        "img-src": [SELF, *MEDIA_ORIGINS],
        "font-src": [SELF],
        "form-action": [SELF],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
    }
}
ADMIN_CONTENT_SECURITY_POLICY = {"script-src": [SELF], "connect-src": [SELF], "img-src": ["data:"]}
# Features no page here uses, refused for any script that might run on it.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "camera", "display-capture", "geolocation", "gyroscope", "magnetometer",
        "microphone", "midi", "payment", "publickey-credentials-get", "usb", "browsing-topics",
    )
}  # fmt: skip

# Admin logins: after AXES_FAILURE_LIMIT wrong passwords for a username, or from one client, both are
# locked out for the cool-off time; `manage.py axes_reset` (or axes_reset_username NAME) lifts it.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_RESET_ON_SUCCESS = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"quiet_outage": {"()": "briefings.outage.QuietOutageFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["quiet_outage"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO").upper()},
    # While the database is away the pool retries quietly; briefings.outage says it is away, and back.
    # WeasyPrint reports each step of every PDF and each property of the site's stylesheet it has no use for.
    "loggers": {
        "psycopg.pool": {"level": "ERROR"},
        "weasyprint": {"level": "ERROR"},
        "procrastinate.blueprints": {"level": "WARNING"},
        "procrastinate.jobs": {"level": "WARNING"},
        "procrastinate.periodic": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Markdown editing: django-markdownx renders its preview with our sanitising renderer,
# through our own permission-checked endpoints.
MARKDOWNX_MARKDOWNIFY_FUNCTION = "briefings.markdown.render_markdown_html"
MARKDOWNX_URLS_PATH = "/admin/briefings/briefing/markdown/preview/"
MARKDOWNX_UPLOAD_URLS_PATH = "/admin/briefings/briefing/markdown/upload/"
MARKDOWNX_SERVER_CALL_LATENCY = 400

BRIEFING_BODY_MAX_CHARS = int(os.environ.get("BRIEFING_BODY_MAX_CHARS", "200000"))
IMAGE_UPLOAD_MAX_BYTES = int(os.environ.get("IMAGE_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
IMAGE_UPLOAD_MAX_PIXELS = int(os.environ.get("IMAGE_UPLOAD_MAX_PIXELS", str(40_000_000)))
# A request may carry one image and a briefing's text (four bytes a character at most) besides.
REQUEST_MAX_BYTES = IMAGE_UPLOAD_MAX_BYTES + 4 * BRIEFING_BODY_MAX_CHARS + 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "briefings.images.CappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Two pairs of eyes: an editor publishes their own writing only "without review", with a reason on the
# record. One-person outlets turn it off.
TWO_PAIRS_OF_EYES = env_flag("TWO_PAIRS_OF_EYES", True)
PREVIEW_LINK_MAX_AGE_DAYS = int(os.environ.get("PREVIEW_LINK_MAX_AGE_DAYS", "7"))
# A word held by this many published briefings has its best matches kept (briefings/common_words.py).
SEARCH_COMMON_WORD_BRIEFINGS = int(os.environ.get("SEARCH_COMMON_WORD_BRIEFINGS", "5000"))
SITE_NAME = os.environ.get("SITE_NAME", "Briefings")
# The public address, for what is made away from any request: the permalinks printed in PDFs.
SITE_URL = os.environ.get("SITE_URL", "").rstrip("/") or (
    f"{'http' if DEBUG else 'https'}://{ALLOWED_HOSTS[0].lstrip('.') if ALLOWED_HOSTS else 'localhost'}"
    + (f":{os.environ.get('PORT', '8000')}" if DEBUG else "")
)
# Email alerts go out over SMTP, configured with Django's own names. With no EMAIL_HOST they are written
# as files under EMAIL_FILE_PATH instead, so that a demo or a test shows them without a mail server.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_flag("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_flag("EMAIL_USE_SSL")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = Path(os.environ.get("EMAIL_FILE_PATH", BASE_DIR / "var" / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <alerts@{urlsplit(SITE_URL).hostname}>")
# Confirmation requests a form takes per address and per client in an hour, before it asks them to wait.
ALERT_REQUESTS_PER_ADDRESS = int(os.environ.get("ALERT_REQUESTS_PER_ADDRESS", "3"))
ALERT_REQUESTS_PER_CLIENT = int(os.environ.get("ALERT_REQUESTS_PER_CLIENT", "20"))
# How many workers may send one change's immediate alerts side by side (a job per thousand readers).
ALERT_SENDING_JOBS = int(os.environ.get("ALERT_SENDING_JOBS", "4"))
# When digests go out, as cron lines in UTC: daily at 07:00, weekly on Monday at 07:00.
ALERT_DIGEST_CRON = {
    "daily": os.environ.get("ALERT_DAILY_DIGEST_CRON", "0 7 * * *"),
    "weekly": os.environ.get("ALERT_WEEKLY_DIGEST_CRON", "0 7 * * 1"),
}

# PDFs: how often the worker tries to make one before showing staff that it failed, the first wait
# between tries in seconds (each later one is longer), and how long readers may keep a version's file.
PDF_MAX_ATTEMPTS = int(os.environ.get("PDF_MAX_ATTEMPTS", "4"))
PDF_RETRY_WAIT = int(os.environ.get("PDF_RETRY_WAIT", "10"))
PDF_MAX_AGE = int(os.environ.get("PDF_MAX_AGE", str(24 * 3600)))

# Cached work is keyed by the public content token (briefings/freshness.py), so any backend is safe;
# Redis lets every worker and machine share what one of them worked out.
REDIS_URL = os.environ.get("REDIS_URL", "")
# Without Redis, workers on one machine learn of a change at once from a file in this folder.
FRESHNESS_BEACON_DIR = Path(os.environ.get("FRESHNESS_BEACON_DIR", BASE_DIR / "var" / "freshness"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": "briefings",
            # An unreachable server must cost a reader a moment, not a hung request (see freshness.recall).
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("LOCAL_CACHE_ENTRIES", "1000"))},
        }
    }
# How long browsers and a CDN may keep a public page before asking again (seconds).
PUBLIC_MAX_AGE = int(os.environ.get("PUBLIC_MAX_AGE", "30"))
PUBLIC_S_MAXAGE = int(os.environ.get("PUBLIC_S_MAXAGE", "60"))
PUBLIC_STALE_WHILE_REVALIDATE = int(os.environ.get("PUBLIC_STALE_WHILE_REVALIDATE", "60"))
# How long a CDN may keep serving a public page while this site answers errors (seconds).
PUBLIC_STALE_IF_ERROR = int(os.environ.get("PUBLIC_STALE_IF_ERROR", "86400"))
