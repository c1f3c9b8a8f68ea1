"""The web page for specialists (`storybank serve`)."""

from __future__ import annotations

import datetime as dt
import gc
import ipaddress
import os

from fastapi import FastAPI

from storybank.bank import BANK_ENV, DEFAULT_BANK
from storybank.errors import StorybankError
from storybank.web.app import create_app

TOKEN_ENV = "STORYBANK_TOKEN"
HOSTS_ENV = "STORYBANK_ALLOWED_HOSTS"
AS_OF_ENV = "STORYBANK_AS_OF"
PORT_ENV = "STORYBANK_PORT"  # the port `uvicorn --factory` listens on (the Host allow-list needs it)


def check_exposure(host: str, token: str | None) -> None:
    """Refuse to listen beyond this machine without an access token."""
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback and not token:
        raise StorybankError(
            f"refusing to listen on {host} without an access token: set {TOKEN_ENV}, or use --host 127.0.0.1"
        )


def app_from_environment() -> FastAPI:
    """The app for `uvicorn --factory` (several workers): the bank and date from the environment."""
    as_of = os.environ.get(AS_OF_ENV)
    port = os.environ.get(PORT_ENV)
    app = create_app(
        os.environ.get(BANK_ENV) or DEFAULT_BANK,
        as_of=dt.date.fromisoformat(as_of) if as_of else None,
        token=os.environ.get(TOKEN_ENV) or None,
        port=int(port) if port else None,
        host_names=[name.strip() for name in os.environ.get(HOSTS_ENV, "").split(",") if name.strip()],
    )
    settle_server_process()
    return app


def settle_server_process() -> None:
    """Before a server process answers its first request: what its imports and the app made lives as long
    as the process, so it is taken out of the garbage collector's passes (`gc.freeze`). A full pass over
    it took 43 to 59 ms at 10,000 stories, about once in every 40 to 80 searches, and landed on whichever
    search was running (6 ms frozen; docs/performance.md). Only `storybank serve` calls this: a library
    user's process is theirs to tune."""
    gc.freeze()


__all__ = [
    "AS_OF_ENV",
    "HOSTS_ENV",
    "PORT_ENV",
    "TOKEN_ENV",
    "app_from_environment",
    "check_exposure",
    "create_app",
    "settle_server_process",
]
