"""Public holidays from the `holidays` package, importing only the countries a playbook
names. The package's `holidays/countries/__init__.py` imports every one of its ~250
country modules (about 8 MB in each process), and importing any single country runs it
first; so does `list_supported_countries()`, to list their subdivisions. Here the package
is registered bare (its submodules import as usual) and the codes come from the registry."""

import importlib.util
import sys
from functools import cache

import holidays
from holidays.registry import EntityLoader

PACKAGE = "holidays.countries"


@cache
def countries() -> frozenset[str]:
    """Every supported country code (and alias), from the package's registry alone."""
    return frozenset(EntityLoader.get_country_codes())


def subdivisions(country: str) -> list[str]:
    """The subdivision codes of one supported country."""
    _bare_package()
    return list(getattr(holidays, country).subdivisions)


def calendar(country: str, subdiv: str | None = None) -> holidays.HolidayBase:
    """The holidays of a country (or one of its subdivisions); NotImplementedError for an
    unknown subdivision."""
    _bare_package()
    return holidays.country_holidays(country, subdiv=subdiv)


def _bare_package() -> None:
    """`holidays.countries` without running its `__init__` (unless already imported)."""
    if PACKAGE not in sys.modules:
        spec = importlib.util.find_spec(PACKAGE)
        sys.modules.setdefault(PACKAGE, importlib.util.module_from_spec(spec))
