"""Push notification tokens, known by their form: credentials under any name.

Mattermost keeps a session's push token in `sessions.deviceid`
('apple_rn-v2:<64 hex>', 'android_rn-v2:<FCM token>'): with it, anyone can push
notifications to that person's phone, and no name says so. Expo's
'ExponentPushToken[...]' is another form.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from dbrefresh.rules.pii_values import THRESHOLD, ValueMatch

_PUSH_TOKEN = re.compile(
    r"(?:apple|android|ios|apns|fcm|gcm)(?:_rn|_voip)*(?:-v\d+)?:[\w:.-]{20,}"
    r"|Expo(?:nent)?PushToken\[[\w-]{16,}\]",
    re.IGNORECASE,
)


def is_push_token(value: str) -> bool:
    return _PUSH_TOKEN.fullmatch(value.strip()) is not None


def match_push_tokens(values: Sequence[str]) -> ValueMatch | None:
    """Half of the non-blank values push tokens (a session without a device has none)."""
    sample = [v for v in values if v.strip()]
    matched = sum(map(is_push_token, sample))
    if not matched or matched < THRESHOLD * len(sample):
        return None
    return ValueMatch("secret", matched, len(sample), "push notification tokens")
