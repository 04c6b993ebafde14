"""The simulator and a Relay talking to it, as the incident effect tests use them."""

from tests.effects.conftest import sim  # noqa: F401 (fixture)
from tests.effects.test_incident_effects import relay  # noqa: F401 (fixture)
