"""Credentials inside URLs: a query parameter named for a token or holding an issuer's
token, and capability links whose path is a long random token.

A webhook's `target_url` 'https://erp.example.com/hooks?api_key=sk_live_51H...' was kept
whole (an issuer-prefixed token is found as a whole value only), and Stripe's
`receipt_url` 'https://pay.stripe.com/receipts/acct_.../ch_.../rcpt_...' in Medusa's
`payment.data` opens the real customer's receipt to whoever holds it. PARAMETER is
read by Python and by PostgreSQL alike (group 1: the name and '='); url_params.py
rewrites such a parameter's value in a URL column, json paths hash such URLs whole.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

_NAMES = (
    r"api[_-]?key|apikey|api[_-]?token|key|token|access[_-]?token|refresh[_-]?token|"
    r"id[_-]?token|auth|auth[_-]?token|sig|signature|secret|client[_-]?secret|password|"
    r"passwd|pwd|session[_-]?id|sessionid|sid|hmac|x-amz-signature|x-amz-credential|"
    r"x-amz-security-token|x-goog-signature|x-goog-credential|"
    # Canvas's file links '/files/1543/download?verifier=8Rm8w7...' open the file to
    # anyone; 'download_token', 'share_token', 'oauth_signature', 'code_verifier' alike
    # (a page's cursor, 'page_token=page0042x', opens nothing: kept)
    r"(?!(?:page|cursor|continuation|pagination|sync)[_-])(?:[a-z0-9]+[_-])?"
    r"(?:verifier|token|signature)"
)
# issuers' prefixes (pii_values._CREDENTIAL), under any parameter's name
_PREFIXES = (
    r"(?:sk|rk)_(?:live|test)_|whsec_|gh[pousr]_|github_pat_|glpat-|xox[abpors]-|AKIA|ASIA|"
    r"AIza|SG\.|shpat_|shpss_|npm_|pypi-|eyJ"
)
# a named parameter's value of 8 characters or more (`?key=shoes` is a search)
PARAMETER = rf"([?&](?:{_NAMES})=(?=[^&#]{{8}})|[?&][^=&#]*=(?={_PREFIXES}))[^&#]+"
_PARAMETER = re.compile(PARAMETER, re.IGNORECASE)
_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
# A path segment that is a random token: an optional object prefix ('rcpt_'), then 20
# or more characters of base64url ('4g9QGVsJ-xUbkXc...') or hex
_RANDOM = re.compile(r"(?:[A-Za-z]{2,10}_)?([A-Za-z0-9_-]{20,})")
MIN_MIXED = 3  # letters and digits of hex, or letters of each case past a word's start
# A cuid ('c' and 24 lowercase letters or digits) or a cuid2 (24, a letter first): a
# record's id, as a UUID is, not a secret. Formbricks' survey link '/s/<cuid>' in every
# Response.meta.url was hashed to 32 hex, no URL any more.
_CUID = re.compile(r"c[a-z0-9]{24}|[a-z][a-z0-9]{23}")


def _random(segment: str) -> bool:
    """Mixed case inside words with a digit (base64url: a slug's 'How-To-Cook-10' has
    capitals only where its words start), or letters and digits without a dash (hex)."""
    found = _RANDOM.fullmatch(segment)
    if found is None or _CUID.fullmatch(segment):
        return False
    token = found[1]
    digits = sum(c.isdigit() for c in token)
    inner = sum(c.isupper() and i > 0 and token[i - 1] not in "-_" for i, c in enumerate(token))
    lower = sum(c.islower() for c in token)
    if inner >= MIN_MIXED and lower >= MIN_MIXED and digits:
        return True
    return "-" not in token and digits >= MIN_MIXED and sum(c.isalpha() for c in token) >= MIN_MIXED


def is_capability_url(value: str) -> bool:
    """A URL that is a credential: a token in its query, or a random token in its path
    (a receipt, an invitation, a shared file's link)."""
    text = value.strip()
    if not _URL.match(text):
        return False
    if _PARAMETER.search(text):
        return True
    try:
        path = urlsplit(text).path
    except ValueError:
        return False
    return any(_random(segment) for segment in path.split("/"))


def _in_last_part(value: str) -> bool:
    """A web address whose random tokens all sit where file_name hashes: the path's last
    part and a query or fragment without '/' (file_name keeps what comes before the
    last '/')."""
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return False
    if "/" in parts.query or "/" in parts.fragment:
        return False
    return not any(_random(segment) for segment in parts.path.split("/")[:-1])


def last_part_reason(values: Sequence[str]) -> str | None:
    """Why `file_name` hides the tokens of capability URLs and keeps them URLs, or None:
    every sampled value a web address, each token in the path's last part or the query
    (Canvas's avatar_image_url '.../images/thumbnails/17/<40 hex>', a gravatar's
    '/avatar/<md5>?s=50': `hash` made them 32 hex, no address any more)."""
    sample = [v.strip() for v in values if v.strip()]
    if not sample or not all(_URL.match(v) for v in sample):
        return None
    if not all(_in_last_part(v) for v in sample if is_capability_url(v)):
        return None
    return (
        "each token sits in the path's last part or the query: file_name hashes them, "
        "the URL stays one"
    )


def capability_urls(values: Sequence[str]) -> int:
    """How many of the values are capability URLs."""
    return sum(1 for v in values if is_capability_url(v))
