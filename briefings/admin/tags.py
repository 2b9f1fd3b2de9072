"""Themes, regions, authors and series: tags editors manage."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count

from .. import languages
from ..models import Author, Region, Series, Theme
from .forms import reencoded


class NamedInLanguagesForm(forms.ModelForm):
    """A tag's name in each other language of the site, a field each, kept in `translated_names`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code in other_languages():
            self.fields[f"name_{code}"].initial = self.instance.translated_names.get(code, "")

    def save(self, commit=True):
        names = {code: self.cleaned_data[f"name_{code}"].strip() for code in other_languages()}
        self.instance.translated_names = {code: name for code, name in names.items() if name}
        return super().save(commit)


def other_languages() -> list[str]:
    return languages.codes()[1:]


def named_in_languages(form: type[forms.ModelForm]) -> type[forms.ModelForm]:
    """The form with a field for the tag's name in each other language of the site (set at start-up)."""
    fields = {
        f"name_{code}": forms.CharField(
            label=f"Name in {languages.name(code)}",
            required=False,
            max_length=form._meta.model._meta.get_field("name").max_length,
            help_text=f"What readers of the site in {languages.name(code)} see; left empty, they see the name.",
        )
        for code in other_languages()
    }
    order = ["name", *fields, *(field for field in form.Meta.fields if field != "name")]  # each name by the name
    meta = type("Meta", (form.Meta,), {"fields": order})
    return type(form.__name__, (NamedInLanguagesForm, form), {**fields, "Meta": meta})


class ThemeForm(forms.ModelForm):
    class Meta:
        model = Theme
        fields = ["name", "slug", "description"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    form = named_in_languages(ThemeForm)
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
    form = named_in_languages(RegionForm)
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
