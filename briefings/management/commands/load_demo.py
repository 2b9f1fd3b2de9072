import json
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.text import slugify

from briefings import publishing
from briefings.alerts import scope_from
from briefings.models import Author, Briefing, Region, StateChange, Subscriber, Theme
from briefings.publishing.alerts import subscribe

DEMO_FOLDER = Path(__file__).resolve().parents[2] / "demo"
DEMO_PASSWORD = "briefings-demo"
FEATURED_SLUG = "japan-space-operations-part-2"
# A published correction, so the demo shows versions, a change log and a reader's diff.
# Each corrected by the demo editor and published by a second one; the French one in French only.
DEMO_CORRECTIONS = [
    {
        "slug": "japan-space-operations-part-2",
        "wrong": "revised again in December 2022",
        "right": "revised again in December 2023",
        "update_note": "An earlier version gave the wrong year for the revision of the export guidelines: 2023, "
        "not 2022.",
        "note": "Corrected the year of the export guidelines",
        "at": datetime(2025, 11, 10, 14, 30, tzinfo=UTC),
    },
    {
        "slug": "grand-nord-finlande-suede-otan",
        "wrong": "la Suède en mars 2023",
        "right": "la Suède en mars 2024",
        "update_note": "Une version précédente donnait une date erronée pour l'adhésion de la Suède : mars 2024, "
        "et non mars 2023.",
        "note": "Corrected the year Sweden joined NATO, in the French text",
        "at": datetime(2025, 3, 20, 10, 0, tzinfo=UTC),
    },
]
DEMO_USERS = [
    # username, group, name and role: each login has an author profile, so a new briefing starts with a byline
    ("editor", "Editors", "Dana Ellison", "Editor, Defence and Security"),
    ("chief", "Editors", "Christopher Okafor", "Director of Research"),  # the second pair of eyes
    ("author", "Authors", "Aiko Tanaka", "Senior Fellow, Space and Security"),
]
# Readers following the demo by email, so the desk's alert pages have lists to show; example.org takes no mail.
DEMO_READERS = [
    ("everything@example.org", {}, "immediately"),
    ("maritime@example.org", {"theme": "maritime-security"}, "daily"),
    ("europe@example.org", {"region": "europe"}, "weekly"),
    ("europe@example.org", {"theme": "defence-industry", "region": "europe"}, "immediately"),
]
# Editor-made groupings on top of the UN regions: a country can sit in several at once.
DEMO_GROUPINGS = {
    "Indo-Pacific": ["JP", "AU", "IN", "ID", "PH", "KR", "VN", "MY", "SG", "NZ", "TW", "CN"],
    "Quad": ["US", "JP", "AU", "IN"],
    "NATO": [
        "AL",
        "BE",
        "BG",
        "CA",
        "HR",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IS",
        "IT",
        "LV",
        "LT",
        "LU",
        "ME",
        "NL",
        "MK",
        "NO",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
        "TR",
        "GB",
        "US",
    ],
    "Arctic": ["CA", "DK", "FI", "IS", "NO", "RU", "SE", "US"],
}


class Command(BaseCommand):
    help = (
        "Load the demo briefings (into an empty site only), groupings and logins, and say how to sign in. "
        "Safe to run again: it never overwrites what editors changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", default="8000")

    def handle(self, *args, port: str, **options):
        with transaction.atomic():
            self.create_groupings()
            self.create_users()
        if Briefing.objects.exists():
            self.stdout.write("Briefings exist already: the demo briefings are not loaded again.")
            # A database from before PDFs: the worker beside the site makes the ones it lacks.
            call_command("make_pdfs", missing=True, stdout=self.stdout, stderr=self.stderr)
        else:
            self.load_briefings()
        self.create_readers()
        base = f"http://127.0.0.1:{port}"
        self.stdout.write(
            self.style.SUCCESS(
                f"\nBriefings is starting.\n"
                f"  Public site: {base}/\n"
                f"  Admin:       {base}/admin/\n"
                f"  Demo editor: editor / {DEMO_PASSWORD}   (a second editor, to publish what the first writes: "
                f"chief / {DEMO_PASSWORD}; an author: author / {DEMO_PASSWORD})\n"
                f"  Email:       {self.where_mail_goes()}\n"
            )
        )

    @staticmethod
    @transaction.atomic
    def create_readers() -> None:
        if Subscriber.objects.exists():
            return
        for address, scope, frequency in DEMO_READERS:
            subscribe(address, scope_from(scope), frequency)

    @staticmethod
    def where_mail_goes() -> str:
        if settings.EMAIL_HOST:
            return f"sent through {settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
        return f"written to {settings.EMAIL_FILE_PATH}/ (set EMAIL_HOST to send it)"

    def create_groupings(self) -> None:
        for name, codes in DEMO_GROUPINGS.items():
            grouping, _ = Region.objects.get_or_create(
                name=name, defaults={"slug": name.lower().replace(" ", "-"), "kind": Region.Kind.GROUPING}
            )
            for country in Region.objects.filter(kind=Region.Kind.COUNTRY, code__in=codes):
                country.parents.add(grouping)

    def load_briefings(self) -> None:
        call_command("import_briefings", str(DEMO_FOLDER), publish=True, stdout=self.stdout, stderr=self.stderr)
        with transaction.atomic():
            self.describe_tags()
            self.publish_corrections()
            publishing.feature(Briefing.objects.filter(slug=FEATURED_SLUG), by=User.objects.get(username="chief"))

    def describe_tags(self) -> None:
        """Descriptions of the demo's themes and groupings, their French names, and its authors' profiles, as
        editors write them."""
        descriptions = json.loads((DEMO_FOLDER / "descriptions.json").read_text(encoding="utf-8"))
        described = [(Theme, name, {"description": text}) for name, text in descriptions["themes"].items()]
        described += [(Region, name, {"description": text}) for name, text in descriptions["regions"].items()]
        described += [(Author, name, profile) for name, profile in descriptions["authors"].items()]
        for name, french in descriptions["names_in_french"].items():
            described += [(model, name, {"translated_names": {"fr": french}}) for model in (Theme, Region)]
        for model, name, fields in described:
            for tag in model.objects.filter(name=name):  # saved, as the admin saves: the site learns of it
                for field, value in fields.items():
                    setattr(tag, field, value)
                tag.save(update_fields=list(fields))

    def publish_corrections(self) -> None:
        """The demo editor corrects briefings and a second editor publishes them: two pairs of eyes."""
        editor, chief = User.objects.get(username="editor"), User.objects.get(username="chief")
        for correction in DEMO_CORRECTIONS:
            briefing = Briefing.objects.get(slug=correction["slug"])
            publishing.save_draft(
                briefing,
                content={
                    "body": briefing.body.replace(correction["wrong"], correction["right"]),
                    "update_note": correction["update_note"],
                },
                by=editor,
                note=correction["note"],
                base_revision=briefing.latest_revision_id,
            )
            publishing.publish(
                briefing,
                by=chief,
                note=correction["update_note"],
                change_kind=StateChange.ChangeKind.CORRECTION,
                updated_at=correction["at"],
            )

    def create_users(self) -> None:
        for username, group_name, full_name, role in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"is_staff": True, "first_name": full_name.split()[0], "last_name": full_name.split()[-1]},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            user.groups.add(Group.objects.get(name=group_name))
            Author.objects.update_or_create(
                slug=slugify(full_name), defaults={"name": full_name, "user": user, "role": role}
            )
