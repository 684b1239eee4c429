"""Running ORM and service code in a thread of its own.

After the browser journeys the main thread has Playwright's event loop running; Django's ORM
then needs DJANGO_ALLOW_ASYNC_UNSAFE and django-constance answers with async proxies. Code run
here sees no loop; the thread's connection is closed when it ends."""

import threading

from django.db import connections


def in_thread(fn, *args, **kwargs):
    """Run `fn(*args, **kwargs)` in a new thread and return its result (or raise its error)."""
    result = {}

    def run():
        try:
            result["value"] = fn(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 — re-raised in the calling thread
            result["error"] = exc
        finally:
            connections.close_all()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if "error" in result:
        raise result["error"]
    return result.get("value")
