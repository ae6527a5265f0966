"""Who may see what in the app: two roles, passwords kept only as salted hashes.

The planner sees everything; the municipality sees the signs and public exports, never
personal data. Hashes come from the environment or Streamlit secrets
(``GEO_PLANNER_PASSWORD_HASH``, ``GEO_MUNICIPALITY_PASSWORD_HASH``); make one with
``python -m geo.access``. Without a configured planner password the app runs on the demo
project only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import sys
from collections.abc import Mapping

PLANNER = "planner"
MUNICIPALITY = "gemeente"
ROLE_KEYS = {PLANNER: "GEO_PLANNER_PASSWORD_HASH", MUNICIPALITY: "GEO_MUNICIPALITY_PASSWORD_HASH"}
PAGES_FOR = {
    PLANNER: (
        "aanmeldingen",
        "wijk",
        "gebieden",
        "geschiedenis",
        "beheerders",
        "borden",
        "export",
        "groepen",
    ),
    MUNICIPALITY: ("borden", "export"),
}
_ITERATIONS = 240_000


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """``pbkdf2_sha256$iterations$salt$hash`` (base64), for the environment or secrets."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, _ITERATIONS)
    return "$".join(
        [
            "pbkdf2_sha256",
            str(_ITERATIONS),
            base64.b64encode(salt).decode(),
            base64.b64encode(digest).decode(),
        ]
    )


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a hash from :func:`hash_password` (constant time)."""
    try:
        scheme, iterations, salt, digest = stored.split("$")
        if scheme != "pbkdf2_sha256":
            return False
        computed = hashlib.pbkdf2_hmac(
            "sha256", password.encode("utf-8"), base64.b64decode(salt), int(iterations)
        )
        return hmac.compare_digest(computed, base64.b64decode(digest))
    except (ValueError, TypeError):
        return False


def configured_hashes(source: Mapping[str, str]) -> dict[str, str]:
    """The roles with a configured password hash in ``source`` (environment or secrets)."""
    return {role: source[key] for role, key in ROLE_KEYS.items() if source.get(key)}


def role_for(password: str, hashes: Mapping[str, str]) -> str | None:
    """The role whose password this is, or ``None``."""
    return next(
        (role for role, stored in hashes.items() if verify_password(password, stored)), None
    )


if __name__ == "__main__":  # python -m geo.access PASSWORD → a hash to configure
    if len(sys.argv) != 2:  # the program name and the password
        sys.stderr.write("gebruik: python -m geo.access WACHTWOORD\n")
        sys.exit(1)
    sys.stdout.write(hash_password(sys.argv[1]) + "\n")
