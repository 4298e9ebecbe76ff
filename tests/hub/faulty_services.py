"""Services that fail, for the fault tests: real sockets on 127.0.0.1, nothing mocked.

``closed_port()`` is a port nothing listens on (connections are refused, as
when Redis is down). ``FaultySMTPServer`` is a small asyncio SMTP server run in
a thread that fails in one of the ways a real mail service does:

- ``refuse``: answers ``554`` on connect, before any command;
- ``sender``: greets and accepts EHLO, then ``451`` (try later) to MAIL FROM;
- ``recipient``: greets, accepts MAIL FROM, then ``550`` (no such user) to RCPT;
- ``silent``: accepts the connection and never answers (a timeout);
- ``tls``: offers STARTTLS, then answers the TLS handshake with plain text (a
  TLS error);
- ``some``: takes mail, but answers ``550`` to any recipient whose address
  holds "refused" (the others get the message);
- ``accept``: takes all mail (a mail server that works again).

Every message a server takes is kept in ``received`` as (envelope sender,
envelope recipients, the message's bytes). ``mode`` can be changed while the
server runs: the next connection follows it.
"""

import asyncio
import socket
import threading

MODES = ("refuse", "sender", "recipient", "silent", "tls")  # the ways every message fails


def _shut_down(loop, server):
    """Stop serving and let every open connection's handler finish."""
    server.close()
    pending = asyncio.all_tasks(loop)
    for task in pending:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.close()


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LoopbackServer:
    """An asyncio server on 127.0.0.1 in a thread of its own, for a ``with``
    block; subclasses write ``_handle(reader, writer)``."""

    def __init__(self, port=0):
        self.port = None
        self._wanted_port = port
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        self._ready.wait(5)
        return self

    def __exit__(self, *exc):
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def _run(self):
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", self._wanted_port)
        )
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            _shut_down(self._loop, server)


class FaultySMTPServer(LoopbackServer):
    def __init__(self, mode, port=0):
        assert mode in (*MODES, "some", "accept"), mode
        super().__init__(port)
        self.mode = mode
        self.connections = 0
        self.received = []

    def __enter__(self):
        from hub import mail

        super().__enter__()
        mail._unreachable.clear()  # a new server: forget servers that failed before
        return self

    def mailers(self, timeout=2):
        """A MAILERS setting sending through this server with the hub's backend."""
        return {
            "default": {
                "BACKEND": "hub.mail.SMTPEmailBackend",
                "OPTIONS": {
                    "host": "127.0.0.1",
                    "port": self.port,
                    "use_tls": self.mode == "tls",
                    "timeout": timeout,
                },
            }
        }

    def queued_mailers(self, timeout=2):
        """A MAILERS setting as in production: the mail queue in front of the
        hub's backend sending through this server."""
        return {
            "default": {"BACKEND": "hub.mail.QueuedEmailBackend", "OPTIONS": {"mailer": "outgoing"}},
            "outgoing": self.mailers(timeout)["default"],
        }

    async def _handle(self, reader, writer):
        self.connections += 1
        sender, recipients = "", []
        try:
            if self.mode == "silent":
                await reader.read()  # until the client gives up
                return
            if self.mode == "refuse":
                writer.write(b"554 5.7.1 Service unavailable: no mail accepted from you\r\n")
                await writer.drain()
                return
            writer.write(b"220 faulty.example ESMTP\r\n")
            while line := await reader.readline():
                command = line.decode(errors="replace").strip().upper()
                if command.startswith(("EHLO", "HELO")):
                    reply = (
                        "250-faulty.example\r\n250 STARTTLS" if self.mode == "tls" else "250 faulty.example"
                    )
                elif command == "STARTTLS":
                    writer.write(b"220 Ready to start TLS\r\nthis is not a TLS handshake\r\n")
                    await writer.drain()
                    return
                elif command.startswith("MAIL FROM"):
                    reply = "451 4.3.0 Try again later" if self.mode == "sender" else "250 OK"
                    sender, recipients = _address(line), []
                elif command.startswith("RCPT TO"):
                    accepted = self.mode == "accept" or (self.mode == "some" and "REFUSED" not in command)
                    reply = "250 OK" if accepted else "550 5.1.1 No such user here"
                    if accepted:
                        recipients.append(_address(line))
                elif command == "DATA":
                    writer.write(b"354 Go ahead\r\n")
                    data = []
                    while (data_line := await reader.readline()) not in (b".\r\n", b""):
                        data.append(data_line[1:] if data_line.startswith(b"..") else data_line)
                    self.received.append((sender, recipients, b"".join(data)))
                    reply = "250 Queued"
                elif command.startswith("QUIT"):
                    writer.write(b"221 Bye\r\n")
                    await writer.drain()
                    return
                else:  # RSET, NOOP
                    reply = "250 OK"
                writer.write(reply.encode() + b"\r\n")
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()


def _address(command_line):
    """The address of a MAIL FROM or RCPT TO line."""
    text = command_line.decode(errors="replace")
    return text[text.index("<") + 1 : text.rindex(">")] if "<" in text else ""


class SwitchableProxy(LoopbackServer):
    """A TCP proxy on 127.0.0.1 to a real service (Redis) that can be cut and
    restored: while cut, open connections are dropped and new ones closed at
    once, as when the service goes away."""

    def __init__(self, host, port):
        super().__init__()
        self.target = (host, port)
        self.is_cut = False
        self._writers = set()

    def __exit__(self, *exc):
        self.cut()
        super().__exit__(*exc)

    def cut(self):
        self.is_cut = True
        done = threading.Event()

        def drop():
            for writer in list(self._writers):
                writer.close()
            self._writers.clear()
            done.set()

        self._loop.call_soon_threadsafe(drop)
        done.wait(5)

    def restore(self):
        self.is_cut = False

    async def _pipe(self, reader, writer):
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def _handle(self, client_reader, client_writer):
        if self.is_cut:
            client_writer.close()
            return
        server_reader, server_writer = await asyncio.open_connection(*self.target)
        self._writers.update((client_writer, server_writer))
        await asyncio.gather(
            self._pipe(client_reader, server_writer), self._pipe(server_reader, client_writer)
        )
        self._writers.difference_update((client_writer, server_writer))
