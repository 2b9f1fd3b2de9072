"""Email alerts: matching one publication against READERS subscribers spread over LISTS lists (database
time and queries, beside the bare INSERT of as many alert rows in the same run), then sending a message
to SEND readers through the task queue to an SMTP server on loopback with one worker process and with two,
beside a plain smtplib loop sending the same number of emails to the same server (its ceiling). Writes
bench/results/alerts.md.

    .venv/bin/python manage.py pgcluster run -- .venv/bin/python bench/alerts.py

(`make bench-alerts` does this.) The database (briefings_bench_alerts) is kept for the next run.
"""

from __future__ import annotations

import argparse
import json
import os
import smtplib
import time
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from corpus import RESULTS, ensure_database, free_port, manage, probe, run_workers

DATABASE = "alerts"  # briefings_bench_alerts
PROBE = "bench/alert_probe.py"


class Counting:
    """An SMTP server's handler that takes every message and counts it."""

    def __init__(self):
        self.received = 0

    async def handle_DATA(self, server, session, envelope):
        self.received += 1
        return "250 Message accepted"


def sent_by_workers(readers: int, workers: int, port: int, server: Counting) -> dict:
    probe(PROBE, DATABASE, "queue-message", str(readers))
    server.received = 0
    seconds = run_workers(DATABASE, workers, "--queues", "emails", EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(port))
    if server.received != readers:
        raise SystemExit(f"{server.received} emails received, {readers} expected.")
    return {"workers": workers, "emails": readers, "seconds": round(seconds, 1), "per_second": round(readers / seconds)}


def sent_by_smtplib(count: int, port: int, server: Counting) -> dict:
    """The server's ceiling: one connection, the same number of small emails, nothing to render or record."""
    email = EmailMessage()
    email["From"], email["Subject"] = "alerts@example.org", "A note"
    email.set_content("A short note to readers.")
    server.received = 0
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for n in range(count):
            del email["To"]
            email["To"] = f"reader{n}@example.org"
            smtp.send_message(email)
    seconds = time.perf_counter() - started
    return {"emails": server.received, "seconds": round(seconds, 1), "per_second": round(count / seconds)}


def report(matching: dict, ceiling: dict, sending: list[dict], send: int) -> str:
    m = matching
    lines = [
        "# Email alerts",
        "",
        f"{os.cpu_count()} cores. Matching one publication (a briefing in the two most followed themes, about",
        f"Japan, by the first author) against {m['subscribers']:,} subscribers with {m['subscriptions']:,}",
        f"subscriptions over {m['lists']:,} lists, through `publishing.alerts.match_change` as the worker runs it;",
        "medians of the timed runs. The baseline is the bare INSERT of as many alert rows, with no matching.",
        "",
        "| alerts written | database s | wall s | queries | bare INSERT s | ratio |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {m['matched']:,} | {m['db_s']} | {m['wall_s']} | {m['queries']} | {m['bare_insert_s']} | {m['ratio']}× |",
        "",
        f"Sending: a message from the editors to {send:,} readers, all immediate, queued as `send_message` does",
        "(a job per thousand readers), sent by `manage.py procrastinate worker` processes to an aiosmtpd server",
        "on loopback until the queue is empty. The ceiling is smtplib sending as many small emails to the same",
        "server on one connection, with nothing to render or record.",
        "",
        "| sender | emails | seconds | emails a second | share of the ceiling |",
        "|---|---:|---:|---:|---:|",
        f"| smtplib, one connection (ceiling) | {ceiling['emails']:,} | {ceiling['seconds']} "
        f"| {ceiling['per_second']} | 100 % |",
    ]  # fmt: skip
    for figure in sending:
        share = figure["per_second"] / ceiling["per_second"]
        lines.append(
            f"| {figure['workers']} worker(s) | {figure['emails']:,} | {figure['seconds']} | {figure['per_second']} "
            f"| {share:.0%} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--readers", type=int, default=100_000, help="subscribers to match against")
    parser.add_argument("--lists", type=int, default=1_000, help="lists they follow")
    parser.add_argument("--send", type=int, default=5_000, help="emails sent through the queue per run")
    parser.add_argument("--repeats", type=int, default=7, help="timed runs of the matching")
    arguments = parser.parse_args()
    ensure_database(DATABASE)
    manage(DATABASE, "migrate", "--noinput", "-v0")
    print(f"Writing {arguments.readers:,} subscribers over {arguments.lists:,} lists …", flush=True)
    probe(PROBE, DATABASE, "setup", str(arguments.readers), str(arguments.lists))
    print("Timing the matching of one publication …", flush=True)
    matching = probe(PROBE, DATABASE, "match", str(arguments.repeats))
    server = Counting()
    controller = Controller(server, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        print("Timing the SMTP server's ceiling …", flush=True)
        ceiling = sent_by_smtplib(arguments.send, controller.port, server)
        sending = []
        for workers in (1, 2):
            print(f"Sending {arguments.send:,} emails with {workers} worker(s) …", flush=True)
            sending.append(sent_by_workers(arguments.send, workers, controller.port, server))
    finally:
        controller.stop()
    table = report(matching, ceiling, sending, arguments.send)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "alerts.md").write_text(table)
    results = {"matching": matching, "ceiling": ceiling, "sending": sending}
    (RESULTS / "alerts.json").write_text(json.dumps(results, indent=2) + "\n")
    print(table)


if __name__ == "__main__":
    main()
