"""Per-connection limits of the control channel."""

import time

MAX_FRAME_BYTES = 256 * 1024
MAX_CONNECTIONS_PER_SEAT = 10


class TokenBucket:
    """Allows `burst` actions at once, refilled at `rate` per second."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.at = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


def frames_bucket() -> TokenBucket:
    return TokenBucket(rate=20, burst=60)


def chat_bucket() -> TokenBucket:
    # A person types a few messages a minute; a script floods.
    return TokenBucket(rate=1, burst=5)
