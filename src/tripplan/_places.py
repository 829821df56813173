"""A place of the trip: a venue, hotel or address, and the zone its times are read in.

A place names its zone, or its country when the country keeps one time, or its city when the
country keeps several (the city is looked up in GeoNames: one zone, or an error listing the
candidates). A zone that does not keep the country's clocks is an error: a restaurant in São Paulo
read in Lisbon's time would put the dinner four hours off.
"""

from __future__ import annotations

from pydantic import Field, PrivateAttr, model_validator

from . import _gazetteer, _holidays, _zones
from ._base import Line, Model, Text
from ._types import CountryCode, Geo, Phone, TimezoneName

__all__ = ["Place"]


class Place(Model):
    """A venue, hotel or address; its times are read in ``timezone``."""

    name: Text
    address: Line | None = None
    city: Line | None = None
    country: CountryCode | None = None
    timezone: TimezoneName | None = Field(
        default=None, description="IANA zone; may be left out where the country has a single zone"
    )
    subdivision: Line | None = Field(
        default=None,
        description="ISO 3166-2 subdivision of the country without its prefix (NSW, HE, RM), "
        "for regional public holidays",
    )
    geo: Geo | None = None
    phone: Phone | None = None

    @model_validator(mode="after")
    def _known_subdivision(self) -> Place:
        if self.subdivision is not None:
            if self.country is None:
                raise ValueError("a subdivision needs the place's country")
            known = _holidays.subdivisions(self.country)
            if self.subdivision not in known:
                expected = ", ".join(known) if known else "none are known for this country"
                raise ValueError(
                    f"unknown subdivision {self.subdivision!r} of {self.country}; expected one of: {expected}"
                )
        return self

    #: The zone found for the place's city, where the file names a city but no zone.
    _city_zone: str | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _zone_of_its_country(self) -> Place:
        if self.timezone is not None:
            if self.country is not None:
                serving = _gazetteer.zones_serving(self.country)
                if serving and _gazetteer.canonical_zone(self.timezone) not in serving:
                    cities = _gazetteer.cities_named(self.city, self.country) if self.city else ()
                    hint = f"; {self.city} is in {cities[0].zone}" if cities else ""
                    raise ValueError(
                        f"timezone {self.timezone} does not keep the clocks of {self.country}{hint}; "
                        f"expected one of {self.country}'s zones: {', '.join(sorted(serving))}"
                    )
            return self
        if self.country is None:
            raise ValueError("give the place a timezone (or a country with a single zone)")
        zones = _zones.country_zones(self.country)
        if len(zones) == 1:
            return self
        listed = f"country {self.country} has {len(zones)} time zones ({', '.join(zones)})"
        if self.city is None:
            raise ValueError(f"{listed}; give the place a timezone, or its city")
        found = _gazetteer.cities_named(self.city, self.country)
        candidates = {_gazetteer.canonical_zone(c.zone): c for c in found}
        if len(candidates) == 1:
            self._city_zone = next(iter(candidates))
            return self
        if not candidates:
            raise ValueError(
                f"{listed}, and no city called {self.city!r} in {self.country} is known; "
                "give the place a timezone"
            )
        named = "; ".join(
            f"{c.name} ({zone}, {c.population:,} people)" for zone, c in sorted(candidates.items())
        )
        raise ValueError(
            f"the city {self.city!r} of {self.country} is ambiguous: {named}; "
            "give the place a timezone"
        )

    @property
    def zone_name(self) -> str:
        """The place's zone: its own, its city's, or its country's only one (validation made
        sure there is one)."""
        if self.timezone is not None:
            return self.timezone
        if self._city_zone is not None:
            return self._city_zone
        return _zones.country_zones(self.country or "")[0]
