"""Synthetic social-media posts for the viral-post predictor, reproducible from (rows, seed).

Every column is drawn with one vectorised call on ``np.random.default_rng(seed)`` in a fixed
order, so the same (rows, seed) gives a byte-identical frame:

- ``hour``: a daily posting curve (quiet at night, peaks mid-morning, lunch and evening);
  ``weekday``: 0 = Monday … 6 = Sunday, a little quieter at the weekend.
- ``content_length``: characters, log-normal around 220, rounded and clipped to 1..5000.
- ``has_media``: 1 with probability 0.45; ``hashtag_count``: Poisson(2) capped at 15;
  ``follower_count``: log-normal around 1,500.
- ``engagement_score`` (early engagement, 0–100, two decimals)::

      engagement_score = 100 · σ(z),   σ(t) = 1 / (1 + e^(−t))
      z = −0.3 + 0.45 · (log10(follower_count + 1) − 3.2) + 0.35 · has_media + ε,
      ε ~ N(0, 1.1²)

- ``viral``, a noisy rule: engagement matters most, media and evening posts help, long
  posts and hashtag stuffing hurt (so some weights are negative, which chapter 1's random
  guessing of weights in [0, 1) cannot find, while the delta rule learns them)::

      s = 0.18 · (engagement_score − 58) + 3.0 · has_media + 2.25 · [18 ≤ hour ≤ 22]
          − 2.25 · ln(content_length / 220) − 0.75 · (hashtag_count − 2)
      viral ~ Bernoulli(σ(s)), then flipped with probability 0.05 (label noise)

About half the posts go viral (majority baseline ≈ 0.5); the delta rule on the min-max
scaled hour, content_length, engagement_score, has_media and hashtag_count reaches ≈ 0.85
accuracy on held-out rows, random weight guessing ≈ 0.79.
"""

from __future__ import annotations

import numpy as np
import polars as pl

_HOUR_WEIGHTS = np.array(
    [1.0, 0.6, 0.4, 0.3, 0.3, 0.5, 1.2, 2.5, 3.8, 4.2, 3.6, 3.4]
    + [4.4, 4.6, 3.6, 3.2, 3.4, 4.0, 4.8, 5.6, 6.0, 5.4, 3.8, 2.0]
)
_WEEKDAY_WEIGHTS = np.array([1.0, 1.05, 1.05, 1.05, 1.0, 0.85, 0.8])
_LABEL_NOISE = 0.05


def _sigmoid(t: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-t))


def generate_viral_posts(rows: int, seed: int) -> pl.DataFrame:
    """`rows` posts drawn from the rule in the module docstring; same (rows, seed), same frame."""
    if rows < 1:
        raise ValueError(f"viral_posts generator: rows must be a positive integer, got {rows!r}")
    rng = np.random.default_rng(seed)
    hour = rng.choice(24, size=rows, p=_HOUR_WEIGHTS / _HOUR_WEIGHTS.sum())
    weekday = rng.choice(7, size=rows, p=_WEEKDAY_WEIGHTS / _WEEKDAY_WEIGHTS.sum())
    content_length = np.clip(np.rint(rng.lognormal(np.log(220.0), 0.9, rows)), 1, 5000)
    has_media = (rng.random(rows) < 0.45).astype(np.int64)
    hashtag_count = np.minimum(rng.poisson(2.0, rows), 15)
    follower_count = np.rint(rng.lognormal(np.log(1500.0), 1.4, rows))

    z = (
        -0.3
        + 0.45 * (np.log10(follower_count + 1.0) - 3.2)
        + 0.35 * has_media
        + rng.normal(0.0, 1.1, rows)
    )
    engagement_score = np.round(100.0 * _sigmoid(z), 2)

    score = (
        0.18 * (engagement_score - 58.0)
        + 3.0 * has_media
        + 2.25 * ((hour >= 18) & (hour <= 22))
        - 2.25 * np.log(content_length / 220.0)
        - 0.75 * (hashtag_count - 2)
    )
    viral = rng.random(rows) < _sigmoid(score)
    viral ^= rng.random(rows) < _LABEL_NOISE

    return pl.DataFrame(
        {
            "post_id": np.arange(1, rows + 1, dtype=np.int64),
            "hour": hour.astype(np.int64),
            "weekday": weekday.astype(np.int64),
            "content_length": content_length.astype(np.int64),
            "engagement_score": engagement_score,
            "has_media": has_media,
            "hashtag_count": hashtag_count.astype(np.int64),
            "follower_count": follower_count.astype(np.int64),
            "viral": viral.astype(np.int64),
        }
    )
