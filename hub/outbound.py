"""Asking other servers for something: every request the hub makes to an
address someone typed (partner feeds, the link checker) goes through ``fetch``.

Those addresses come from editors, partners and members, and a server can
redirect anywhere, so each hop is checked before anything is sent:

- only ``http`` and ``https``, and no user name or password in the address;
- the host name is resolved here, and every address it resolves to must be a
  public one: loopback, private, link-local, shared (carrier-grade NAT),
  unique-local IPv6, multicast, reserved, unspecified (``0.0.0.0``, ``::``)
  and cloud metadata addresses are refused, IPv4 addresses wrapped in IPv6
  included;
- the connection goes to the address that was checked (no second lookup that a
  DNS answer could change in between), with the original host name in the
  ``Host`` header and, for https, in SNI and the certificate check;
- redirects are followed here, at most ``MAX_REDIRECTS``, each ``Location``
  checked again as above.

``HUB_OUTBOUND_ALLOWED_HOSTS`` lists ``host`` or ``host:port`` entries (a name
as written in the address, or an address it resolves to) that are allowed
although they are internal: tests serve "partners" on 127.0.0.1. It is empty
unless set, so in production nothing internal is ever fetched.
"""

import ipaddress
import socket
from urllib.parse import urljoin, urlsplit

import certifi
import urllib3
from django.conf import settings
from urllib3.exceptions import HTTPError, MaxRetryError, NewConnectionError, ProtocolError, SSLError
from urllib3.exceptions import TimeoutError as Urllib3Timeout

MAX_REDIRECTS = 5
# The certificate authorities https servers are checked against (the same
# bundle requests uses).
CA_BUNDLE = certifi.where()
REDIRECTS = {301, 302, 303, 307, 308}
DEFAULT_PORTS = {"http": 80, "https": 443}

# Metadata services answer on addresses the rules below refuse anyway
# (169.254.169.254 is link-local, fd00:ec2::254 unique-local, 100.100.100.200
# shared space); named here so that stays true whatever ``ipaddress`` decides.
METADATA_ADDRESSES = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("169.254.170.2"),
    ipaddress.ip_address("fd00:ec2::254"),
    ipaddress.ip_address("100.100.100.200"),
}
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class OutboundProblem(Exception):
    """A request that could not be made or answered, in plain words."""


class Refused(OutboundProblem):
    """The hub does not send requests to this address. ``code`` says why, for
    forms that word it their own way: invalid, scheme, credentials, internal."""

    def __init__(self, message, code="invalid"):
        super().__init__(message)
        self.code = code


class TimedOut(OutboundProblem):
    pass


class TooManyRedirects(OutboundProblem):
    pass


class Unreachable(OutboundProblem):
    pass


# --- which addresses ------------------------------------------------------------------


def _embedded_ipv4(address):
    """The IPv4 address an IPv6 address carries (mapped, NAT64, 6to4, Teredo)."""
    if address.version != 6:
        return None
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    return None


def is_public_address(address):
    """True for an address on the public internet, one the hub may connect to."""
    if isinstance(address, str):
        address = ipaddress.ip_address(address.split("%", 1)[0])
    embedded = _embedded_ipv4(address)
    if embedded is not None and not is_public_address(embedded):
        return False
    return (
        address not in METADATA_ADDRESSES
        and address.is_global
        and not (
            address.is_multicast
            or address.is_private
            or address.is_loopback
            or address.is_link_local
            or address.is_reserved
            or address.is_unspecified
            or (address.version == 6 and address.is_site_local)
        )
    )


def _allowed(host, port):
    allowed = {entry.lower() for entry in getattr(settings, "HUB_OUTBOUND_ALLOWED_HOSTS", ())}
    shown = f"[{host}]" if ":" in host else host
    return shown in allowed or host in allowed or f"{shown}:{port}" in allowed


# --- one hop ----------------------------------------------------------------------------


class Target:
    """A checked address: where to connect (``addresses``) and what to call it."""

    def __init__(self, url):
        self.url = url
        try:
            parts = urlsplit(url)
            self.scheme = parts.scheme.lower()
            host = parts.hostname
            port = parts.port
        except ValueError as error:
            raise Refused("The address is not a valid web address.") from error
        if self.scheme not in DEFAULT_PORTS:
            raise Refused("Only web addresses (http:// or https://) are fetched.", "scheme")
        if parts.username is not None or parts.password is not None:
            raise Refused("Addresses with a user name or password in them are not fetched.", "credentials")
        if not host:
            raise Refused("The address has no host name.")
        try:
            self.host = host.encode("idna").decode("ascii") if not host.isascii() else host
        except UnicodeError as error:
            raise Refused("The address has a host name that is not valid.") from error
        self.port = port or DEFAULT_PORTS[self.scheme]
        self.path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    @property
    def host_header(self):
        shown = f"[{self.host}]" if ":" in self.host else self.host
        return shown if self.port == DEFAULT_PORTS[self.scheme] else f"{shown}:{self.port}"

    def resolve(self):
        """The addresses to connect to, every one of them checked; or Refused."""
        try:
            answers = socket.getaddrinfo(self.host, self.port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as error:
            raise Unreachable(f"The host name {self.host} could not be found.") from error
        addresses = list(dict.fromkeys(answer[4][0] for answer in answers))
        if not _allowed(self.host, self.port):
            for address in addresses:
                if not (is_public_address(address) or _allowed(address, self.port)):
                    raise Refused(
                        f"The address leads to an internal network address ({address}), "
                        "which the hub does not visit.",
                        "internal",
                    )
        return addresses


def check_address(url):
    """Refused if the hub would not fetch ``url``, for forms that take links.
    A host name that cannot be found is not refused: it may exist tomorrow,
    and every fetch checks again."""
    target = Target(url)
    try:
        target.resolve()
    except Unreachable:
        pass
    return target


# --- the request ------------------------------------------------------------------------


class Response:
    """What the server answered; the body is read with ``iter_content``."""

    def __init__(self, pool, raw, url):
        self.pool = pool
        self.raw = raw
        self.url = url
        self.status_code = raw.status
        self.reason = raw.reason or ""
        self.headers = raw.headers

    def iter_content(self, chunk_size=64 * 1024):
        try:
            yield from self.raw.stream(chunk_size)
        except Urllib3Timeout as error:
            raise TimedOut("The server stopped sending within the time allowed.") from error
        except (ProtocolError, HTTPError) as error:
            raise Unreachable(f"The connection broke ({type(error).__name__}).") from error

    def close(self):
        self.raw.close()
        self.pool.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _send(target, address, method, headers, timeout):
    kwargs = {"timeout": urllib3.Timeout(connect=timeout, read=timeout), "retries": False, "maxsize": 1}
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            target.port,
            cert_reqs="CERT_REQUIRED",
            ca_certs=CA_BUNDLE,
            server_hostname=target.host,
            assert_hostname=target.host,
            **kwargs,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, target.port, **kwargs)
    try:
        raw = pool.urlopen(
            method,
            target.path,
            headers={**headers, "Host": target.host_header},
            redirect=False,
            retries=False,
            preload_content=False,
            decode_content=True,
        )
    except BaseException:
        pool.close()
        raise
    return pool, raw


def _open(target, method, headers, timeout):
    """The first address of ``target`` that answers (they are all checked first)."""
    problem = None
    for address in target.resolve():
        try:
            return _send(target, address, method, headers, timeout)
        except MaxRetryError as error:
            problem = error.reason or error
        except HTTPError as error:
            problem = error
        # NewConnectionError is a kind of timeout to urllib3: a refused
        # connection tries the next address, a silent server does not.
        if isinstance(problem, NewConnectionError):
            continue
        if isinstance(problem, Urllib3Timeout):
            raise TimedOut(f"No answer within {timeout:g} seconds.") from problem
        if isinstance(problem, SSLError):
            raise Unreachable("The server's certificate could not be verified.") from problem
        raise Unreachable(f"The server could not be reached ({type(problem).__name__}).") from problem
    raise Unreachable(f"The server could not be reached ({type(problem).__name__}).") from problem


def fetch(url, method="GET", headers=None, timeout=5, max_redirects=MAX_REDIRECTS):
    """The answer of ``url`` after redirects, every hop checked; use as a context
    manager and read with ``iter_content``. Raises OutboundProblem."""
    headers = {"Accept-Encoding": "identity", **(headers or {})}
    current = url
    for _hop in range(max_redirects + 1):
        target = Target(current)
        response = Response(*_open(target, method, headers, timeout), current)
        location = response.headers.get("Location")
        if response.status_code not in REDIRECTS or not location:
            return response
        response.close()
        current = urljoin(current, location.strip())
        if response.status_code == 303 and method != "HEAD":
            method = "GET"
    raise TooManyRedirects(f"More than {max_redirects} redirects.")
