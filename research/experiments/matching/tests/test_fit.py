"""How fit.py chooses its regularisation, on features made to show the case that matters: one
feature known for a few candidates only, where it separates truths from twins perfectly."""

import numpy as np

from research.experiments.matching.fit import cross_validated, fit_logistic


def twins_with_a_perfect_photo(reports: int = 60) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Each lost report's truth and four twins: a noisy text score for all, and a photo score
    (0.5: no photo) that is exactly right for the 15 % that have one."""
    rng = np.random.default_rng(0)
    owners = [int(owner) for owner in np.repeat(np.arange(reports), 5)]
    truth = np.tile([1.0, 0.0, 0.0, 0.0, 0.0], reports)
    text = 0.3 * truth + rng.normal(0.0, 0.3, len(truth))
    photo = np.where(rng.random(len(truth)) < 0.15, truth, 0.5)
    return np.column_stack([text, photo]), truth, owners


def test_where_the_folds_cannot_tell_strengths_apart_the_simplest_model_wins() -> None:
    x, y, owners = twins_with_a_perfect_photo()
    plain = cross_validated(x, y, owners)
    simplest = cross_validated(x, y, owners, simplest=True)

    assert simplest > plain
    photo_plain = fit_logistic(x, y, plain)[1]
    photo_simplest = fit_logistic(x, y, simplest)[1]
    # The perfectly separating feature no longer drowns the others ...
    assert photo_simplest < 0.6 * photo_plain
    # ... and still counts for the truth.
    assert photo_simplest > 0
