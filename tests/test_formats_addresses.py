"""A shared page fetches only public addresses: the address rule on its own, and ``web.fetch``
with ``public_only`` refusing local hosts, redirects into the local network and a connection that
ends up at a private address (a name resolving differently a moment later)."""

from __future__ import annotations

import re

import pytest

from translator.errors import InputError
from translator.formats import addresses, web

from .fixtures.webserver import Reply, serve

ARTICLE = b"<html><body><article><p>" + b"Ein Satz \xc3\xbcber nichts. " * 20 + b"</p></article>"


def refused(host: str) -> str:
    return re.escape(f"{host} is a local or private network address")


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",  # loopback
        "127.8.9.10",
        "::1",
        "10.0.0.5",  # private
        "172.16.3.4",
        "192.168.1.1",
        "fc00::1",  # unique local
        "169.254.169.254",  # link-local: a cloud's metadata service
        "fe80::1",
        "fe80::1%2",
        "224.0.0.1",  # multicast
        "239.1.2.3",
        "ff02::1",
        "240.0.0.1",  # reserved
        "255.255.255.255",
        "0.0.0.0",  # unspecified
        "::",
        "100.64.0.1",  # shared (carrier NAT)
        "::ffff:127.0.0.1",  # IPv4 inside IPv6
        "::ffff:10.0.0.1",
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "localhost",  # not an address at all
        "",
    ],
)
def test_local_private_link_local_multicast_and_reserved_addresses_are_not_public(address):
    assert not addresses.is_public_address(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "1.1.1.1"])
def test_internet_addresses_are_public(address):
    assert addresses.is_public_address(address)


def test_a_host_is_refused_if_any_of_its_addresses_is_private(monkeypatch):
    found = {"mixed.test": ["93.184.216.34", "10.1.2.3"], "public.test": ["93.184.216.34"]}
    monkeypatch.setattr(addresses, "resolve", lambda host, port: found[host])
    addresses.check_public_host("public.test", 443)
    with pytest.raises(InputError, match=refused("mixed.test")):
        addresses.check_public_host("mixed.test", 443)


def test_a_name_that_does_not_resolve_is_one_clear_line():
    with pytest.raises(InputError, match=re.escape("can't reach nowhere.invalid")):
        addresses.check_public_host("nowhere.invalid", 80)


@pytest.fixture()
def site():
    routes = {
        "/artikel": Reply(200, ARTICLE),
        "/weiter": Reply(302, b"", {"Location": "http://intern.test/geheim"}),
    }
    with serve(routes) as base:
        yield base


def test_public_only_refuses_a_local_address_before_asking_it(site):
    base = site
    assert web.fetch(base + "/artikel").data == ARTICLE, "allowed unless asked"
    with pytest.raises(InputError, match=refused("127.0.0.1")):
        web.fetch(base + "/artikel", public_only=True)
    with pytest.raises(InputError, match=refused("localhost")):
        web.fetch(base.replace("127.0.0.1", "localhost") + "/artikel", public_only=True)


def test_public_only_checks_every_redirect(site, monkeypatch):
    base = site
    # the test server stands for a public site; the address it redirects to has a private one
    found = {"127.0.0.1": ["127.0.0.1"], "intern.test": ["93.184.216.34", "10.1.2.3"]}
    monkeypatch.setattr(addresses, "resolve", lambda host, port: found[host])
    rule = addresses.is_public_address
    monkeypatch.setattr(addresses, "is_public_address", lambda a: a == "127.0.0.1" or rule(a))
    with pytest.raises(InputError, match=refused("intern.test")):
        web.fetch(base + "/weiter", public_only=True)


def test_public_only_checks_the_address_it_connected_to(site, monkeypatch):
    base = site
    # the name resolved to a public address when asked, the connection went to a local one
    monkeypatch.setattr(addresses, "resolve", lambda host, port: ["93.184.216.34"])
    with pytest.raises(InputError, match=refused("127.0.0.1")):
        web.fetch(base + "/artikel", public_only=True)
