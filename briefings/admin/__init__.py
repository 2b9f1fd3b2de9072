"""The editors' side: writing, versions, workflow and the Markdown editor's endpoints."""

from django.contrib import admin

from . import alerts, audit, briefings, pdfs, tags

admin.site.site_header = "Briefings"
admin.site.site_title = "Briefings admin"
admin.site.index_title = "Editorial desk"

__all__ = ["alerts", "audit", "briefings", "pdfs", "tags"]
