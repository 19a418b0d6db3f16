"""Where a push may be sent (backend/push/destinations.py): a name is resolved at each send,
since what it names can change after the subscription was taken."""
import ipaddress
import socket

import pytest

from backend.push.destinations import inside_address


def resolving_to(*addresses):
    def getaddrinfo(host, port, *args, **kwargs):
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                 (a, port)) for a in addresses]
    return getaddrinfo


@pytest.mark.parametrize("addresses, found", [
    (("142.250.180.10",), None),
    (("142.250.180.10", "169.254.169.254"), "169.254.169.254"),
    (("10.1.2.3",), "10.1.2.3"),
    (("fe80::1%eth0",), "fe80::1"),
    (("::ffff:192.168.0.1",), "::ffff:192.168.0.1"),
    (("127.0.0.1",), "127.0.0.1"),
])
def test_a_name_resolving_inside_a_network_is_found(monkeypatch, addresses, found):
    monkeypatch.setattr(socket, "getaddrinfo", resolving_to(*addresses))
    got = inside_address("push.example.net", 443)
    assert (got and ipaddress.ip_address(got)) == (found and ipaddress.ip_address(found))


def test_loopback_is_let_through_only_when_asked(monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", resolving_to("127.0.0.1"))
    assert inside_address("localhost", 443, loopback_ok=True) is None
    monkeypatch.setattr(socket, "getaddrinfo", resolving_to("127.0.0.1", "10.0.0.1"))
    assert inside_address("localhost", 443, loopback_ok=True) == "10.0.0.1"
