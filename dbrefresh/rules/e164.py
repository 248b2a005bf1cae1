"""Phone numbers stored as E.164 digits without their '+': `phone` with `e164: true`.

Supabase's GoTrue stores `auth.users.phone` as '49091390996' and checks it against
`^[1-9]\\d{1,14}$`. `phone` keeps a calling code only after a '+', so these numbers
lost theirs ('49...' became '40...', '41...'), and one in ten came out starting with
0, which GoTrue rejects. A phone column (or a phone path of a JSON column) whose
sampled values are all bare digits, 8 to 15 of them, none starting with 0, and whose
leading digits are an assigned calling code for nearly all of them, is proposed
`e164: true`: its numbers mask as their '+'-prefixed forms do, calling code kept and
never a 0 after it. National numbers written without their trunk 0 rarely pass: two
digits in five start no calling code. Pure logic over the sample.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from dbrefresh.rules.proposal import ColumnProposal
from dbrefresh.rules.rule_alike import E164, KEEP_PREFIX
from dbrefresh.strategies.digits import TWO_DIGIT_CODES

PHONE = "phone"
MIN_VALUES = 3
SHARE = 0.9  # of the sampled numbers, starting with an assigned calling code
_BARE = re.compile(r"[1-9][0-9]{7,14}")
# Assigned country calling codes (ITU-T E.164): 1 and 7, the two-digit ones `phone`
# keeps after a '+', and the three-digit ones.
_THREE_DIGIT_CODES = (
    "211 212 213 216 218 290 291 297 298 299 350 351 352 353 354 355 356 357 358 359 "
    "370 371 372 373 374 375 376 377 378 379 380 381 382 383 385 386 387 389 420 421 "
    "423 500 501 502 503 504 505 506 507 508 509 590 591 592 593 594 595 596 597 598 "
    "599 670 672 673 674 675 676 677 678 679 680 681 682 683 685 686 687 688 689 690 "
    "691 692 800 808 850 852 853 855 856 870 878 880 881 882 883 886 888 960 961 962 "
    "963 964 965 966 967 968 970 971 972 973 974 975 976 977 979 992 993 994 995 996 998"
)
_CODES = frozenset(
    ["1", "7", *TWO_DIGIT_CODES.split(), *_THREE_DIGIT_CODES.split()]
    + [str(c) for c in (*range(220, 259), *range(260, 270))]
)
LOOKS_LIKE = "E.164 numbers without their '+' (bare digits, calling codes first)"


def calling_code(digits: str) -> str | None:
    """The assigned calling code `digits` starts with, if any (the codes are a prefix
    code: at most one of 1, 2 or 3 digits matches)."""
    return next((digits[:n] for n in (1, 2, 3) if digits[:n] in _CODES), None)


def bare_e164(values: Sequence[str]) -> str | None:
    """Why the values are E.164 numbers without their '+', or None."""
    sample = [v.strip() for v in values if v.strip()]
    if len(sample) < MIN_VALUES or not all(_BARE.fullmatch(v) for v in sample):
        return None
    coded = sum(1 for v in sample if calling_code(v) is not None)
    if coded < SHARE * len(sample):
        return None
    return f"{coded} of {len(sample)} sampled values look like {LOOKS_LIKE}: e164 keeps the code"


def mark(proposals: Mapping[str, ColumnProposal], samples: Mapping[str, Sequence[str]]) -> None:
    """`e164: true` on the table's phone columns and phone paths of bare E.164 numbers."""
    for column, proposal in proposals.items():
        if proposal.strategy == PHONE:
            if not proposal.params.get(KEEP_PREFIX) and (
                why := bare_e164(samples.get(column) or [])
            ):
                proposal.params[E164] = True
                proposal.why.append(why)
            continue
        paths = proposal.params.get("paths")
        if proposal.documents is None or not isinstance(paths, dict):
            continue
        for path, rule in paths.items():
            mapping = rule if isinstance(rule, dict) else {"strategy": rule}
            if mapping.get("strategy") != PHONE or mapping.get(KEEP_PREFIX):
                continue
            if why := bare_e164(proposal.documents.paths.get(path) or []):
                paths[path] = {**mapping, E164: True}
                proposal.why.append(f"{path}: {why}")
