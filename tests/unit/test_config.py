"""Settings from the environment: the WhatsApp cap, the fill, and messages a planner reads."""

from __future__ import annotations

import pytest

from geo.config import Settings
from geo.errors import ConfigError


def test_a_dutch_decimal_comma_reads_as_the_fill() -> None:
    assert Settings.from_env({"GEO_FILL": "0,7"}).fill == 0.7
    assert Settings.from_env({"GEO_FILL": " 0.75 "}).fill == 0.75


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"GEO_MAX_MEMBERS": "0"}, ("maximum aantal leden per groep", "GEO_MAX_MEMBERS", "niet 0")),
        ({"GEO_MAX_MEMBERS": "256"}, ("255", "niet 256")),
        ({"GEO_FILL": "1,5"}, ("vulgraad", "GEO_FILL", "niet 1,5")),
        ({"GEO_FILL": "veel"}, ("GEO_FILL", "ongeldige waarde")),
    ],
)
def test_a_wrong_setting_is_named_as_the_planner_sets_it(
    env: dict[str, str], words: tuple[str, ...]
) -> None:
    with pytest.raises(ConfigError) as raised:
        Settings.from_env(env)
    for word in words:
        assert word in str(raised.value)
    assert "max_members" not in str(raised.value) and "fill moet" not in str(raised.value)
