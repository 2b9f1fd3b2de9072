"""Citing a briefing: Chicago, APA and BibTeX, always naming the version that was read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import dateformat, timezone
from django.utils.translation import gettext

from . import languages
from .models import Author, Briefing, Revision


@dataclass(frozen=True)
class PersonName:
    given: str
    family: str

    @classmethod
    def of(cls, author: Author) -> PersonName:
        given, _, family = author.name.strip().rpartition(" ")
        return cls(given=given, family=family)

    @property
    def inverted(self) -> str:
        return f"{self.family}, {self.given}" if self.given else self.family

    @property
    def initials(self) -> str:
        parts = self.given.replace("-", " -").split()
        return " ".join(("-" if part.startswith("-") else "") + part.lstrip("-")[0] + "." for part in parts)


@dataclass(frozen=True)
class Citation:
    briefing: Briefing
    revision: Revision
    url: str

    @property
    def names(self) -> list[PersonName]:
        return [PersonName.of(author) for author in self.revision.authors]

    @property
    def date(self) -> datetime:
        return timezone.localtime(self.briefing.published_at)

    def chicago(self) -> str:
        names = self.names
        if not names:
            byline = ""
        elif len(names) == 1:
            byline = f"{names[0].inverted}. "
        else:
            rest = [f"{name.given} {name.family}".strip() for name in names[1:]]
            byline = f"{names[0].inverted}, " + ", ".join(rest[:-1]) + (", " if len(rest) > 1 else "")
            byline += f"{gettext('and')} {rest[-1]}. "
        return f"{byline}“{self.revision.title}.” {settings.SITE_NAME}, {self.day}. {self.version}. {self.url}."

    @property
    def month(self) -> str:
        """The month of publication in the page's language (December, décembre)."""
        return dateformat.format(self.date, "F")

    @property
    def day(self) -> str:
        """The day of publication as the page's language writes it (December 3, 2026; 3 décembre 2026)."""
        parts = {"month": self.month, "day": self.date.day, "year": self.date.year}
        return gettext("%(month)s %(day)s, %(year)s") % parts

    @property
    def version(self) -> str:
        return gettext("Version %(number)s") % {"number": self.revision.number}

    def apa(self) -> str:
        names = [f"{name.family}, {name.initials}".rstrip(", ") for name in self.names]
        if len(names) > 1:
            byline = ", ".join(names[:-1]) + ", & " + names[-1]
        else:
            byline = "".join(names)
        byline = f"{byline} " if byline else ""
        return (
            f"{byline}({self.date.year}, {self.month} {self.date.day}). {self.revision.title} "
            f"({self.version}). {settings.SITE_NAME}. {self.url}"
        )

    def bibtex(self) -> str:
        fields = [
            ("author", braced(" and ".join(name.inverted for name in self.names))),
            ("title", "{" + braced(self.revision.title) + "}"),  # double braces keep its capitals
            ("howpublished", braced(settings.SITE_NAME)),
            ("year", braced(str(self.date.year))),
            ("month", self.date.strftime("%b").lower()),
            ("note", braced(f"Version {self.revision.number}")),
            ("langid", braced(languages.name(self.revision.language).lower())),  # babel's name, which biblatex reads
            ("url", braced(self.url)),
            ("urldate", braced(timezone.localdate().isoformat())),
        ]
        body = ",\n".join(f"  {key} = {value}" for key, value in fields if value != "{}")
        return f"@misc{{{self.briefing.slug}-v{self.revision.number},\n{body}\n}}\n"


BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
}


def braced(text: str) -> str:
    return "{" + "".join(BIBTEX_SPECIAL.get(char, char) for char in text) + "}"
