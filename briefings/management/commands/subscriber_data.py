import json

from django.core.management.base import BaseCommand, CommandError

from briefings.models import Alert, Subscriber
from briefings.publishing.alerts import erase, normal_address


class Command(BaseCommand):
    help = (
        "What is kept about one email address (its subscriptions and the alerts sent to it), as JSON, for its "
        "owner's request; with --erase, delete all of it."
    )

    def add_arguments(self, parser):
        parser.add_argument("address")
        parser.add_argument("--erase", action="store_true", help="delete the address and everything kept with it")

    def handle(self, *args, address: str, **options):
        subscriber = Subscriber.objects.filter(address=normal_address(address)).first()
        if subscriber is None:
            raise CommandError("No subscriber has that address.")
        if options["erase"]:
            count = erase(subscriber.address)
            self.stdout.write(f"Erased the address, its {count} subscription(s) and the record of its alerts.")
            return
        data = {
            "address": subscriber.address,
            "since": subscriber.created_at.isoformat(),
            "subscriptions": [
                {"list": row.subscriber_list.title, "frequency": row.frequency, "since": row.created_at.isoformat()}
                for row in subscriber.subscriptions.select_related("subscriber_list").order_by("created_at")
            ],
            "alerts": [
                {
                    "briefing": alert.change.revision.title,
                    "change": alert.change.kind,
                    "status": alert.status,
                    "sent_at": alert.sent_at.isoformat() if alert.sent_at else None,
                }
                for alert in Alert.objects.filter(subscriber=subscriber).select_related("change__revision")
            ],  # fmt: skip
        }
        self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
