"""Demo-data hooks. `seed_demo` builds the organisation, then runs the seeders that higher apps
register here (imports point one way: crm never imports customers/allocation/penalties)."""

from collections.abc import Callable

Seeder = Callable[..., list[str]]
_SEEDERS: list[tuple[int, Seeder]] = []


def register_seeder(fn: Seeder, *, order: int) -> None:
    """`fn(*, today: date, users: dict[str, User], light: bool) -> lines to print`."""
    if all(existing is not fn for _, existing in _SEEDERS):
        _SEEDERS.append((order, fn))


def seeders() -> list[Seeder]:
    return [fn for _, fn in sorted(_SEEDERS, key=lambda item: item[0])]
