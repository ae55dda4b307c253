"""The one place an edition's computations are kept: each is made once per dataset and key, so
every chapter of an edition (and its What changed and How we compare pages) sees the same
family of tests, and a warm kernel running several chapters does not repeat them."""

from __future__ import annotations

from typing import Callable, TypeVar

from pcpbook.contracts.dataset import Dataset

T = TypeVar("T")


def once(dataset: Dataset, key: tuple, compute: Callable[[], T]) -> T:
    if key not in dataset.memo:
        dataset.memo[key] = compute()
    return dataset.memo[key]
