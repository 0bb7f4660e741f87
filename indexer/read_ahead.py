"""Run a producer (reading, parsing and chunking files) on a thread ahead of its consumer.

The consumer (embedding) stays on the calling thread: the embedder's one-BLAS-thread limit holds
only in the thread that sets it, and encoding from another thread cost several times the CPU
(measured: 29 texts 0.26 s CPU on the caller's thread, 2.5 s from a worker thread). Reading
mostly waits on the parse worker process, so it overlaps with encoding even on two cores.

The embedding threads need the GIL back after each of their many small matrix products; a producer
busy in Python keeps it for the interpreter's switch interval (5 ms) each time (512 texts: 7.7 s
alone, 43 s beside a Python loop on a thread). While the producer runs, the interval is 0.5 ms
(in A/B runs of the 60-law benchmark: 88 against 81 chunks/s, medians of three).
"""
from __future__ import annotations

import queue
import sys
import threading
from typing import Callable, Iterator, TypeVar

T = TypeVar("T")

_DONE = object()
SWITCH_INTERVAL = 0.0005  # seconds a thread may keep the GIL while another waits for it, during read-ahead


def read_ahead(produce: Callable[[], Iterator[T]], depth: int) -> Iterator[T]:
    """The items of `produce()`, made on a background thread at most `depth` items ahead.

    An exception in the producer is raised here; leaving the loop early stops the producer.
    """
    items: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                items.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for item in produce():
                if not put((item, None)):
                    return
        except BaseException as error:  # handed to the consumer, raised there
            put((None, error))
            return
        put((_DONE, None))

    thread = threading.Thread(target=run, name="lesen", daemon=True)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(min(interval, SWITCH_INTERVAL))
    thread.start()
    try:
        while True:
            item, error = items.get()
            if error is not None:
                raise error
            if item is _DONE:
                return
            yield item
    finally:
        stop.set()
        thread.join()
        sys.setswitchinterval(interval)
