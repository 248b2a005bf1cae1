"""company: a company name from several faker locales."""

from __future__ import annotations

from dbrefresh.strategies.dictpick import DictionaryStrategy
from dbrefresh.strategies.registry import register


@register
class Company(DictionaryStrategy):
    name = "company"
    summary = "A company name from the dictionary."
    dictionaries = ("company",)
