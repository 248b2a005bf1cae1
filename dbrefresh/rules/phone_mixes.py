"""Phone numbers as whole values beside values without a digit, in one column.

Cal.com's "Booking".location holds a phone number in a third of the rows and
'integrations:google:meet' or 'integrations:zoom' in the rest: too few numbers for the
phone detector, so the numbers counted as contacts in free text and the column got
`lorem`, which broke every video meeting's integration lookup. `phone` replaces digits
only: it masks the numbers and leaves a value without a digit exactly as it is (and
the leak check samples only values with a digit). So when every sampled value is a
phone number or has no digit at all, the column is proposed `phone`.
"""

from __future__ import annotations

from collections.abc import Sequence

from dbrefresh.rules.phones import is_phone
from dbrefresh.rules.pii_values import EMBEDDED_THRESHOLD, ValueMatch

MIN_PHONES = 3
LOOKS_LIKE = "phone numbers (whole values; the others have no digit, which `phone` keeps)"


def refine(found: ValueMatch | None, values: Sequence[str] | None) -> ValueMatch | None:
    """`phone` for free text that is phone numbers and digit-free values only; else
    what the value detectors found."""
    if found is None or found.kind != "free_text" or not values:
        return found
    sample = [v for v in values if v.strip()]
    phones = sum(1 for v in sample if is_phone(v))
    if phones < max(MIN_PHONES, EMBEDDED_THRESHOLD * len(sample)):
        return found
    if any(not is_phone(v) and any(c.isdigit() for c in v) for v in sample):
        return found
    return ValueMatch("phone", phones, len(sample), LOOKS_LIKE)
