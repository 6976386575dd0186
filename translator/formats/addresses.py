"""Which hosts a shared page may fetch from: public internet addresses only.

A page anyone can open must not become a way into the server's own network (server-side request
forgery): a visitor's URL naming ``localhost``, ``10.0.0.5``, ``169.254.169.254`` (a cloud's
metadata service) or a name that resolves to one of them is refused. ``web.fetch`` asks before each
request (redirects included) and checks the address it actually connected to.
"""

from __future__ import annotations

import ipaddress
import socket

from ..errors import InputError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def is_public_address(address: str | Address) -> bool:
    """Whether ``address`` is a public internet address: not loopback, private, link-local,
    multicast, reserved, unspecified or shared (carrier NAT); IPv4 inside IPv6 is judged as IPv4.
    Anything that is not an IP address is not public."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return False
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
    return ip.is_global and not (
        ip.is_multicast
        or ip.is_reserved
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_private
        or ip.is_unspecified
    )


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (an IP address resolves to itself)."""
    found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in found))


def check_public_host(host: str, port: int) -> None:
    """An ``InputError`` unless every address ``host`` resolves to is public (one private address
    among public ones is refused too: the connection could go to either)."""
    name = host.strip("[]")
    try:
        addresses = resolve(name, port)
    except (OSError, UnicodeError) as error:
        why = getattr(error, "strerror", None) or str(error)
        raise InputError(f"can't reach {name}: the name does not resolve ({why})") from error
    if not addresses or not all(is_public_address(a) for a in addresses):
        raise InputError(refusal(name))


def refusal(host: str) -> str:
    return (
        f"{host} is a local or private network address: this page fetches only public web addresses"
    )
