"""The faker locales the dictionaries come in.

Without a locale, names, addresses and companies are drawn from all of them mixed (a
German shop's customers come out Polish, Spanish or American). `locale: de_DE` in a
rules file's defaults, or on one strategy, draws from that locale's dictionaries
(`sql/dictionaries/locale_de_de.sql`); a list draws from their union.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import BeforeValidator

Locale = Literal["en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "pl_PL"]
LOCALES: tuple[str, ...] = get_args(Locale)
# Dictionaries a locale narrows; the others (lorem's words) stay mixed.
LOCALIZED = frozenset(
    {
        "first_name",
        "last_name",
        "email_first",
        "email_last",
        "street",
        "city",
        "postcode",
        "company",
    }
)


def _as_tuple(value: Any) -> Any:
    """`de_DE` or `[de_DE, fr_FR]` as a tuple (frozen models need hashable fields); an
    unknown locale named as such (pydantic would say `locale.0: Input should be ...`)."""
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list):
        return value
    unknown = [v for v in values if isinstance(v, str) and v not in LOCALES]
    if unknown:
        raise ValueError(f"unknown locale {unknown[0]!r}; known: {', '.join(LOCALES)}")
    return tuple(values)


# `locale:` as written in YAML: one locale or a list of them; None: not set here.
Locales = Annotated[
    tuple[Locale, ...] | None,
    BeforeValidator(_as_tuple, json_schema_input_type=Locale | list[Locale] | None),
]
