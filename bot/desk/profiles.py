"""Go-live profiles: named set-ups for numbers as they arrive, read from the YAML file named by
``PORTING_PROFILES`` and checked once at start-up, one clear line per mistake::

    default: standard
    profiles:
      standard:
        voice_url: https://voice.acme.example/incoming   # or voice_application_sid / trunk_sid
        messaging_service_sid: MG…                        # or sms_url
        status_callback: https://…                        # optional
        emergency_address_sid: AD…                        # optional
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict

from bot.errors import PortingBotError
from bot.porting.account import NumberSettings

NONE = "none"  # the choice that leaves numbers as Twilio delivers them
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
_URL = re.compile(r"^https?://[^\s/]+\S*$")
_SIDS = {
    "voice_application_sid": "AP",
    "trunk_sid": "TK",
    "messaging_service_sid": "MG",
    "emergency_address_sid": "AD",
}
_URLS = ("voice_url", "sms_url", "status_callback")
_FIELDS = (*_URLS, *_SIDS)


class ProfilesError(PortingBotError):
    """The profile file has mistakes: ``lines`` names each one (file, where, what to do)."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


class Profile(BaseModel):
    """One go-live profile: what each arriving number is pointed at."""

    model_config = ConfigDict(frozen=True)

    name: str
    voice_url: str | None = None
    voice_application_sid: str | None = None
    trunk_sid: str | None = None
    sms_url: str | None = None
    messaging_service_sid: str | None = None
    status_callback: str | None = None
    emergency_address_sid: str | None = None

    @property
    def settings(self) -> NumberSettings:
        """What is set on the number itself (the Messaging Service is a separate call)."""
        return NumberSettings.model_validate(self.model_dump(exclude={"name"}), strict=False)

    @property
    def voice(self) -> str | None:
        """Where calls go, in words (None: voice left as it is)."""
        if self.voice_url:
            return self.voice_url
        if self.voice_application_sid:
            return f"TwiML App {self.voice_application_sid}"
        if self.trunk_sid:
            return f"SIP trunk {self.trunk_sid}"
        return None

    @property
    def messaging(self) -> str | None:
        if self.messaging_service_sid:
            return f"Messaging Service {self.messaging_service_sid}"
        return self.sms_url


class Profiles(BaseModel):
    """Every profile by name, and the one a new request gets unless someone picks another."""

    model_config = ConfigDict(frozen=True)

    default: str = NONE
    profiles: dict[str, Profile] = {}

    def get(self, name: str | None) -> Profile | None:
        """The profile ``name`` (None for ``none``, no name or one no longer in the file)."""
        return self.profiles.get(name) if name else None

    @property
    def names(self) -> list[str]:
        return sorted(self.profiles)

    def known(self, name: str) -> bool:
        return name == NONE or name in self.profiles


def load_profiles(path: str | Path | None) -> Profiles:
    """The profiles in ``path`` (no path: none at all); raises ProfilesError listing every
    mistake at once."""
    if not path:
        return Profiles()
    where = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ProfilesError(
            [f"PORTING_PROFILES {where}: cannot read it ({error.strerror or error})"]
        ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        raise ProfilesError([f"{where}{at}: not valid YAML"]) from None
    return parse_profiles(data, where)


def parse_profiles(data: Any, where: str = "PORTING_PROFILES") -> Profiles:
    """Profiles from already-parsed YAML; every mistake becomes one line of ProfilesError."""
    if not isinstance(data, dict):
        raise ProfilesError([f"{where}: expected `default:` and a `profiles:` mapping"])
    errors: list[str] = []
    for key in sorted(set(data) - {"default", "profiles"}):
        errors.append(f"{where}: unknown key `{key}` (only `default` and `profiles`)")
    raw = data.get("profiles")
    if not isinstance(raw, dict) or not raw:
        errors.append(f"{where}: `profiles:` must map at least one profile name to its settings")
        raw = {}
    profiles = {}
    for name, body in raw.items():
        found = _profile(str(name), body, f"{where}: profile `{name}`", errors)
        if found is not None:
            profiles[found.name] = found
    default = data.get("default", NONE)
    if not isinstance(default, str) or not (default == NONE or default in raw):
        choices = ", ".join(dict.fromkeys([*map(str, raw), NONE]))
        errors.append(f"{where}: default `{default}` is not a profile here (one of: {choices})")
    if errors:
        raise ProfilesError(errors)
    return Profiles(default=default, profiles=profiles)


def _profile(name: str, body: Any, where: str, errors: list[str]) -> Profile | None:
    before = len(errors)
    if name == NONE or not _NAME.match(name):
        errors.append(f"{where}: a name of letters, digits, - _ . (not `none`), up to 40")
    if not isinstance(body, dict):
        errors.append(f"{where}: expected settings such as voice_url, messaging_service_sid")
        return None
    for key in sorted(set(map(str, body)) - set(_FIELDS)):
        errors.append(f"{where}: unknown setting `{key}` (known: {', '.join(_FIELDS)})")
    values = {k: body[k] for k in _FIELDS if body.get(k) is not None}
    for key, value in values.items():
        prefix = _SIDS.get(key)
        if prefix is not None and not re.fullmatch(rf"{prefix}[0-9a-fA-F]{{32}}", str(value)):
            errors.append(f"{where}: {key} must be {prefix} followed by 32 hex digits")
        elif prefix is None and not _URL.match(str(value)):
            errors.append(f"{where}: {key} must be an http(s):// URL")
    voice = [k for k in ("voice_url", "voice_application_sid", "trunk_sid") if k in values]
    if len(voice) > 1:
        errors.append(f"{where}: give one of {', '.join(voice)} (calls go one place)")
    if "sms_url" in values and "messaging_service_sid" in values:
        errors.append(f"{where}: give sms_url or messaging_service_sid, not both")
    if not values:
        errors.append(f"{where}: sets nothing (give voice_url or messaging_service_sid, say)")
    if len(errors) > before:
        return None
    return Profile(name=name, **{k: str(v) for k, v in values.items()})
