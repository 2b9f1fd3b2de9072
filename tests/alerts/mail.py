"""Mail as readers get it: what a real SMTP server on loopback received, the links in it, and
subscriptions made the way a confirmed link makes them."""

import email
import email.policy
import re
import socket

from briefings.models import Subscription


class Inbox:
    """What the SMTP server received, as parsed messages."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def link_in(message, pattern: str) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(rf"https://briefings\.example\.org(/alerts/{pattern}/[^/\s]+/)", text).group(1)


def follow(address: str, frequency: str = "immediately", **scope) -> Subscription:
    from briefings.alerts import scope_from
    from briefings.publishing.alerts import subscribe

    return subscribe(address, scope_from(scope), frequency)
