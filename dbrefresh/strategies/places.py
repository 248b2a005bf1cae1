"""street, city, postcode: address parts from several faker locales."""

from __future__ import annotations

from dbrefresh.strategies.dictpick import DictionaryStrategy
from dbrefresh.strategies.registry import register


@register
class Street(DictionaryStrategy):
    name = "street"
    summary = "A street address (number and street) from the dictionary."
    dictionaries = ("street",)


@register
class City(DictionaryStrategy):
    name = "city"
    summary = "A city name from the dictionary."
    dictionaries = ("city",)


@register
class Postcode(DictionaryStrategy):
    name = "postcode"
    summary = "A postcode from the dictionary (formats of several countries)."
    dictionaries = ("postcode",)
