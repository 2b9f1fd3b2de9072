"""Themes, regions, authors and series: tags editors manage."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count

from ..models import Author, Region, Series, Theme
from .forms import reencoded


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "briefing_count"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(briefing_total=Count("briefings")).order_by("name")

    @admin.display(description="Briefings", ordering="briefing_total")
    def briefing_count(self, theme):
        return theme.briefing_total


class RegionForm(forms.ModelForm):
    class Meta:
        model = Region
        fields = ["name", "slug", "kind", "code", "alpha3", "description", "parents"]

    def clean_parents(self):
        parents = self.cleaned_data["parents"]
        if self.instance.pk:
            inside = Region.objects.with_descendants_of(self.instance)
            loops = parents.filter(pk__in=inside)
            if loops.exists():
                names = ", ".join(region.name for region in loops)
                raise ValidationError(f"{names} is inside this region already, so it cannot also contain it.")
        return parents


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    form = RegionForm
    list_display = ["name", "kind", "code", "parent_names"]
    list_filter = ["kind"]
    search_fields = ["name", "code", "alpha3"]
    autocomplete_fields = ["parents"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("parents")

    @admin.display(description="Inside")
    def parent_names(self, region):
        return ", ".join(parent.name for parent in region.parents.all())


class AuthorForm(forms.ModelForm):
    website = forms.URLField(required=False, assume_scheme="https", help_text=Author.website.field.help_text)

    class Meta:
        model = Author
        fields = ["name", "slug", "role", "bio", "photo", "orcid", "website", "user"]

    def clean_photo(self):
        return reencoded(self.cleaned_data.get("photo"))


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    form = AuthorForm
    list_display = ["name", "role", "slug", "user"]
    search_fields = ["name", "role", "bio"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]
    list_select_related = ["user"]


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ["title", "slug"]
    search_fields = ["title", "description"]
    prepopulated_fields = {"slug": ["title"]}
