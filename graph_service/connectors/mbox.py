"""Mailboxes (mbox): every email as an interaction, read from the headers alone.

Only the header block of each message is read (up to the first empty line);
bodies are never read into memory, let alone into the graph. Of the headers,
``From``, ``To``, ``Cc``, ``Bcc`` (present in a sender's own copy) and ``Date``
make the interaction; ``Message-ID`` names it, so the same email found in
several mailboxes (the sender's and each recipient's) is one interaction;
``List-*``, ``Precedence`` and ``Auto-Submitted`` only decide what to leave
out. The subject is not kept.

An email becomes an ``email`` interaction at its ``Date`` (in UTC): the sender
is the initiator, ``To`` recipients are the participants, ``Cc`` and ``Bcc``
recipients are copied (with no ``To`` recipient other than the sender, the
copied ones become the participants, as in the Enron demo). People are known
by address: team members are recognised by the email on their person record,
others become persons named by their display name.

Left out, and counted with the reason: mailing-list and bulk mail, automatic
replies, no-reply senders (``noreply@``, ``mailer-daemon@``, ``bounce@``,
``notifications@`` ...), messages without a readable sender or date, and
messages with no recipient other than the sender.
"""

from __future__ import annotations

import mailbox
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timezone
from email.errors import MessageError
from email.header import decode_header, make_header
from email.message import Message as Headers
from email.parser import HeaderParser
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path
from typing import Any

from graph_service.connectors.base import Plan, draft_for_address, email_person_id, normalise_email
from graph_service.errors import InvalidInput, Problem
from graph_service.model import Interaction, InteractionType, Source, content_id

KIND = "mbox"
MAX_HEADER_BYTES = 256 * 1024
"""A header block longer than this is cut: only a broken message has one."""

NO_REPLY = re.compile(
    r"^(no[-_.]?reply|do[-_.]?not[-_.]?reply|donotreply|mailer[-_.]?daemon|postmaster|bounces?|notifications?|"
    r"notify|alerts?|newsletters?|news|mailer)([-+_.].*)?$", re.IGNORECASE)
BULK = {"bulk", "list", "junk"}
_PARSER = HeaderParser()


@dataclass(frozen=True)
class Message:
    """The headers of one email that matter, as addresses with display names."""

    number: int
    message_id: str
    at: datetime
    sender: tuple[str, str]
    to: list[tuple[str, str]]
    cc: list[tuple[str, str]]


def _header_block(box: mailbox.mbox, key: str) -> bytes:
    handle = box.get_file(key)
    try:
        lines, size = [], 0
        while size < MAX_HEADER_BYTES:
            line = handle.readline()
            if not line or line in (b"\n", b"\r\n"):
                break
            lines.append(line)
            size += len(line)
        return b"".join(lines)
    finally:
        handle.close()


def _decode(block: bytes) -> str:
    """A header block as text: raw 8-bit headers are UTF-8 (RFC 6532), else Latin-1 from old mailers."""
    try:
        return block.decode("utf-8")
    except UnicodeDecodeError:
        return block.decode("latin-1")


def _display_name(raw: str) -> str:
    try:
        return str(make_header(decode_header(raw))).strip()
    except (ValueError, LookupError, UnicodeError, MessageError):
        return raw.strip()


def _addresses(headers: Headers, name: str) -> list[tuple[str, str]]:
    found = []
    values = [str(v) for v in headers.get_all(name, [])]
    for display, addr_spec in getaddresses(values):
        address = normalise_email(addr_spec)
        if address:
            found.append((address, _display_name(display)))
    return found


def _classify(number: int, headers: Headers) -> Message | str:
    """The message, or the reason it is left out."""
    if not headers.keys():
        return "no headers"
    if any(headers.get(h) for h in ("List-Id", "List-Unsubscribe", "List-Post")) \
            or str(headers.get("Precedence", "")).strip().lower() in BULK:
        return "mailing list"
    auto = str(headers.get("Auto-Submitted", "")).strip().lower()
    if auto and auto != "no":
        return "automatic message"
    senders = _addresses(headers, "From")
    if not senders:
        return "no readable sender"
    sender = senders[0]
    if NO_REPLY.match(sender[0].split("@", 1)[0]):
        return "no-reply sender"
    try:
        at = parsedate_to_datetime(str(headers.get("Date", "")))
    except (ValueError, TypeError, IndexError):
        return "no readable date"
    to = [a for a in _addresses(headers, "To") if a[0] != sender[0]]
    cc = [a for a in _addresses(headers, "Cc") + _addresses(headers, "Bcc") if a[0] != sender[0]]
    if not to and not cc:
        return "no recipient other than the sender"
    message_id = str(headers.get("Message-ID", "")).strip()
    return Message(number, message_id, at, sender, to, cc)


def messages(path: Path, plan: Plan | None = None) -> Iterator[Message]:
    """The usable messages of a mailbox in file order; the others are counted on ``plan``."""
    if not path.exists():
        raise InvalidInput(Problem("file", f"{path.name} does not exist"))
    box = mailbox.mbox(path, create=False)
    try:
        for number, key in enumerate(box.iterkeys(), start=1):
            try:
                headers = _PARSER.parsestr(_decode(_header_block(box, key)))
            except (ValueError, UnicodeError) as err:  # the parser is lenient; kept for odd input
                if plan is not None:
                    plan.skip(None, "unreadable headers", f"message {number}: {err}")
                continue
            found = _classify(number, headers)
            if isinstance(found, str):
                if plan is not None:
                    plan.skip(None, found, f"message {number}")
                continue
            yield found
    finally:
        box.close()


def read(path: Path, *, as_of: date | None = None, owner: str | None = None, source: Source = Source.sales_accounts,
         file_name: str | None = None) -> Plan:
    """The plan of one mailbox: everyone who wrote or was written to, and every email (read again as a stream)."""
    plan = Plan(kind=KIND, file=file_name or path.name, source=source,
                as_of=as_of or datetime.now(timezone.utc).date(), owner=owner)
    with open(path, "rb") as handle:
        start = handle.read(5)
    if start and start != b"From ":
        raise InvalidInput(Problem("file", f"{plan.file} is not an mbox file (it must start with a 'From ' line)"))
    for message in messages(path, plan):
        for address, name in [message.sender, *message.to, *message.cc]:
            plan.add_person(draft_for_address(address, name, kind=KIND, line=None))

    def stream() -> Iterator[Interaction]:
        for message in messages(path):
            yield _interaction(message, plan.source)

    plan.interactions = stream
    return plan


def _interaction(message: Message, source: Any) -> Interaction:
    sender = email_person_id(message.sender[0])
    to = sorted({email_person_id(a) for a, _ in message.to})
    cc = sorted({email_person_id(a) for a, _ in message.cc} - set(to))
    if not to:
        to, cc = cc, []
    named = {"id": content_id("int", KIND, message.message_id)} if message.message_id else {}
    return Interaction(**named, type=InteractionType.email, at=message.at, initiator=sender, participants=to, cc=cc,
                       source=source)
