"""The web page for specialists (`storybank serve`)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os

from fastapi import FastAPI

from storybank.errors import StorybankError
from storybank.web.app import create_app

TOKEN_ENV = "STORYBANK_TOKEN"
AS_OF_ENV = "STORYBANK_AS_OF"


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
    return create_app(
        os.environ.get("STORYBANK_HOME", "stories"),
        as_of=dt.date.fromisoformat(as_of) if as_of else None,
        token=os.environ.get(TOKEN_ENV) or None,
    )


__all__ = ["app_from_environment", "check_exposure", "create_app"]
