from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from . import views

public_patterns = [
    path("", views.home, name="home"),
    path("briefings/<slug:slug>/", views.briefing_detail, name="briefing-detail"),
    path("preview/<str:token>/", views.preview, name="preview"),
]

urlpatterns = [
    path("", include((public_patterns, "briefings"))),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    urlpatterns.append(
        path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})
    )
