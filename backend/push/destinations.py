"""Where the server may send a push: a push service on the internet, never an address inside
its own network.

A subscription's endpoint comes from the browser, but anyone signed in can send any URL as one,
and the scheduler then POSTs to it and records the answer (a 404 or 410 even deletes the
subscription, which its owner can see). Without this rule that would let a learner's token make
the server reach hosts only it can reach: the cloud's metadata address, the database's machine,
a router's admin page. So an endpoint naming such a host is refused when it is given
(``inside_name``), and a name that resolves to such an address is not sent to
(``inside_address``, at each send: names can change). The loopback push service of the tests is
let through when ``TESTING`` or ``PUSH_ALLOW_LOOPBACK`` says so.
"""
import ipaddress
import socket

from flask import current_app

# names that only a local network knows (RFC 6761, RFC 6762, RFC 8375 and common practice)
LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".intranet", ".lan", ".home.arpa",
                  ".localdomain")


def loopback_ok():
    """Whether the tests' push service on 127.0.0.1 may be sent to."""
    return bool(current_app.testing or current_app.config.get("PUSH_ALLOW_LOOPBACK"))


def _literal(host):
    """The address ``host`` spells, in any form a resolver takes (``10.0.0.1``, ``::1``, or the
    old forms ``2130706433`` and ``0x7f.1``), or None for a name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, ValueError):
        return None


def _inside(address, loopback_ok):
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.is_loopback:
        return not loopback_ok
    return not address.is_global or address.is_multicast


def inside_name(host, loopback_ok=False):
    """Why an endpoint's ``host`` is not a push service on the internet, or None if it may be.

    :param loopback_ok: the tests' push service on 127.0.0.1 is allowed
    """
    host = host.rstrip(".").lower()
    address = _literal(host)
    if address is not None:
        return "is an address inside a network, not a push service" if _inside(
            address, loopback_ok) else None
    if host == "localhost" or host.endswith(LOCAL_SUFFIXES) or "." not in host:
        return None if loopback_ok and host == "localhost" else \
            "is a name inside a network, not a push service"
    return None


def inside_address(host, port, loopback_ok=False):
    """The first address ``host`` resolves to that is inside a network, or None.

    :raises OSError: (``socket.gaierror``) if the name does not resolve just now
    """
    for *_, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        address = ipaddress.ip_address(sockaddr[0].split("%")[0])
        if _inside(address, loopback_ok):
            return str(address)
    return None
