"""first_name, last_name, full_name: realistic names from several faker locales."""

from __future__ import annotations

from dbrefresh.strategies.dictpick import DictionaryStrategy
from dbrefresh.strategies.registry import register


@register
class FirstName(DictionaryStrategy):
    name = "first_name"
    summary = "A first name from the dictionary, chosen by the keyed digest."
    dictionaries = ("first_name",)


@register
class LastName(DictionaryStrategy):
    name = "last_name"
    summary = "A last name from the dictionary, chosen by the keyed digest."
    dictionaries = ("last_name",)


@register
class FullName(DictionaryStrategy):
    name = "full_name"
    summary = "'First Last' from the dictionaries, chosen by the keyed digest."
    dictionaries = ("first_name", "last_name")
