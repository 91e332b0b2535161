"""Id generators: the time-ordered one used for request log rows."""

from __future__ import annotations

import time
import uuid

from adapters.system.id_generators import Uuid7Generator


def test_log_ids_are_rfc_9562_version_7_uuids_carrying_the_time() -> None:
    before = time.time_ns() // 1_000_000
    made = uuid.UUID(Uuid7Generator().new_id())
    after = time.time_ns() // 1_000_000
    assert made.version == 7
    assert made.variant == uuid.RFC_4122
    assert before <= made.int >> 80 <= after


def test_log_ids_sort_in_the_order_they_were_made_across_milliseconds() -> None:
    generator = Uuid7Generator()
    made = []
    for _ in range(5):
        made.append(generator.new_id())
        time.sleep(0.002)
    assert made == sorted(made)


def test_log_ids_are_unique_within_a_millisecond() -> None:
    generator = Uuid7Generator()
    made = [generator.new_id() for _ in range(20_000)]
    assert len(set(made)) == len(made)
