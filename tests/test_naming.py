"""One naming scheme (issue 17): the renamed names work, and each former name warns and forwards until 0.3."""

from __future__ import annotations

import enum
import importlib
import pkgutil
from datetime import datetime
from typing import Any

import pytest

import lapor_core as lc
import lapor_core._domain
from desk_support import ADMIN, PEPPER, WIB, drive_to, make_desk, submission
from lapor_core._domain.access import Principal, Role
from lapor_core._domain.complaint import OutboxMessage
from lapor_core._domain.history import Actor, Event
from lapor_core._domain.institutions import InstitutionDirectory, InstitutionKind
from lapor_core._domain.lifecycle import Action, Status
from lapor_core._domain.notifications import AddressBook, Recipient, RecipientRole
from lapor_core._domain.regions import RegionLevel
from lapor_core._domain.routing import RoutingRules
from lapor_core.desk import ComplaintDesk
from lapor_core.errors import NotFound, ValidationError
from lapor_core.stores.memory import InMemoryComplaintStore
from lapor_core.testing import FrozenClock


class _CountingStore(InMemoryComplaintStore):
    """An in-memory store that counts how often it is closed."""

    def __init__(self) -> None:
        super().__init__()
        self.closed = 0

    def close(self) -> None:
        self.closed += 1


def _counting_desk() -> tuple[ComplaintDesk, _CountingStore]:
    store = _CountingStore()
    clock = FrozenClock(datetime(2026, 3, 17, 10, tzinfo=WIB))
    return ComplaintDesk(store=store, clock=clock, pepper=PEPPER), store


def _followed_up(desk: ComplaintDesk) -> tuple[str, Principal]:
    receipt = desk.submit(submission())
    tid = str(receipt.tracking_id)
    drive_to(desk, tid, receipt.access_key, "followed_up", institution="31.71", unit="dinas-pu")
    return tid, desk.authenticate(tid, receipt.access_key)


# --- the desk ---------------------------------------------------------------------------------------------


def test_desk_close_releases_the_store_and_the_desk_is_a_context_manager() -> None:
    """``desk.close()`` is the resource release, as ``store.close()`` is; leaving ``with desk`` calls it."""
    desk, store = _counting_desk()
    desk.close()
    assert store.closed == 1
    with desk as entered:
        assert entered is desk
    assert store.closed == 2


def test_close_complaint_is_the_reporters_command() -> None:
    """The reporter confirms the matter is settled with ``close_complaint``; the store stays open."""
    desk, store = _counting_desk()
    tid, reporter = _followed_up(desk)
    assert desk.close_complaint(reporter, tid).status is Status.CLOSED
    assert store.closed == 0


def test_desk_dispose_warns_and_closes() -> None:
    """The former ``dispose()`` warns and releases the store like ``close()``."""
    desk, store = _counting_desk()
    with pytest.deprecated_call(match=r"desk\.close\(\)"):
        desk.dispose()
    assert store.closed == 1


def test_desk_close_with_a_principal_warns_and_closes_the_complaint() -> None:
    """The former ``close(principal, tracking_id)`` warns and closes the complaint, not the store."""
    desk, store = _counting_desk()
    tid, reporter = _followed_up(desk)
    with pytest.deprecated_call(match="close_complaint"):
        view = desk.close(reporter, tid)
    assert view.status is Status.CLOSED
    assert store.closed == 0
    with pytest.deprecated_call(match="close_complaint"), pytest.raises(NotFound):
        desk.close(principal=reporter, tracking_id="7K3M9QXF2HJQ")


def test_desk_list_warns_and_gives_the_same_page_as_complaints() -> None:
    """The former ``list`` (which shadowed the builtin) forwards to ``complaints``."""
    desk, _clock = make_desk()
    desk.submit(submission())
    query = lc.ComplaintQuery(limit=5)
    with pytest.deprecated_call(match=r"desk\.complaints"):
        listed = desk.list(ADMIN, query)
    assert listed == desk.complaints(ADMIN, query)
    assert len(listed.items) == 1


# --- principals -----------------------------------------------------------------------------------------


def test_principals_name_their_institution_and_unit_as_complaints_and_actors_do() -> None:
    """``institution`` and ``unit`` are fields as on complaints and actors; officers have named builders."""
    officer = Principal.institution_officer("off-1", institution="31.71")
    unit = Principal.unit_officer("u-1", institution="31.71", unit="dinas-pu")
    assert (officer.role, officer.institution, officer.unit) == (Role.INSTITUTION, "31.71", None)
    assert (unit.role, unit.institution, unit.unit) == (Role.UNIT, "31.71", "dinas-pu")
    assert Actor("unit", "u-1", unit.institution, unit.unit) == Actor("unit", "u-1", "31.71", "dinas-pu")
    with pytest.raises(ValidationError) as caught:
        Principal.institution_officer("off-1", institution=" ")
    assert caught.value.fields_by_name == {"institution": ("principal.bad_id",)}


def test_former_principal_constructors_warn_and_build_the_same_principal() -> None:
    """``Principal.institution(...)`` and ``Principal.unit(...)`` on the class build officers, warning."""
    former_institution: Any = Principal.institution
    former_unit: Any = Principal.unit
    with pytest.deprecated_call(match="institution_officer"):
        officer = former_institution("off-1", institution="31.71")
    with pytest.deprecated_call(match="unit_officer"):
        unit = former_unit("u-1", institution="31.71", unit="dinas-pu")
    assert officer == Principal.institution_officer("off-1", institution="31.71")
    assert unit == Principal.unit_officer("u-1", institution="31.71", unit="dinas-pu")


def test_former_principal_fields_warn_and_read_the_new_ones() -> None:
    """``institution_code`` and ``unit_code`` read ``institution`` and ``unit``, warning."""
    unit = Principal.unit_officer("u-1", institution="31.71", unit="dinas-pu")
    with pytest.deprecated_call(match=r"Principal\.institution\b"):
        assert unit.institution_code == "31.71"
    with pytest.deprecated_call(match=r"Principal\.unit\b"):
        assert unit.unit_code == "dinas-pu"


def test_principals_stay_frozen_with_the_renamed_fields() -> None:
    """The fields behind the former constructors' names cannot be assigned, like every other field."""
    unit = Principal.unit_officer("u-1", institution="31.71", unit="dinas-pu")
    with pytest.raises(AttributeError):
        unit.unit = "other"  # type: ignore[misc]
    assert unit.unit == "dinas-pu"


# --- loaders --------------------------------------------------------------------------------------------


def test_address_book_from_mapping_warns_and_reads_as_from_dict() -> None:
    """``AddressBook.from_mapping`` forwards to ``from_dict``."""
    data = {"admin": "mailto:admin@lapor.go.id", "institutions": {"31.71": "sms:+6281234567890"}}
    with pytest.deprecated_call(match=r"AddressBook\.from_dict"):
        book = AddressBook.from_mapping(data)
    assert book == AddressBook.from_dict(data)


def test_institution_directory_from_records_warns_and_keeps_its_paths() -> None:
    """``from_records(records)`` forwards to the loader behind ``from_dict``, keeping ``<label>[i]`` paths."""
    record = {"code": "kanwil-sulsel", "name": "Kanwil", "kind": "agency", "region": "7371"}
    with pytest.deprecated_call(match=r"InstitutionDirectory\.from_dict"):
        directory = InstitutionDirectory.from_records([record])
    assert (
        directory.institutions() == InstitutionDirectory.from_dict({"institutions": [record]}).institutions()
    )
    with pytest.deprecated_call(), pytest.raises(ValidationError) as caught:
        InstitutionDirectory.from_records([{"code": "x"}], label="central")
    assert set(caught.value.fields_by_name) == {"central[0].name", "central[0].kind", "central[0].timezone"}


def test_routing_rules_from_records_warns_and_reads_as_from_dict() -> None:
    """``RoutingRules.from_records(records)`` forwards to ``from_dict({"rules": records})``."""
    records = [{"institution": "pln", "weight": 0.7, "topic": "infrastructure"}]
    with pytest.deprecated_call(match=r"RoutingRules\.from_dict"):
        rules = RoutingRules.from_records(records)
    assert rules.rules == RoutingRules.from_dict({"rules": records}).rules
    with pytest.deprecated_call(), pytest.raises(ValidationError) as caught:
        RoutingRules.from_records(None)  # type: ignore[arg-type]
    assert caught.value.fields_by_name == {"rules": ("value.not_list",)}


def test_recipient_parse_warns_and_reads_columns_as_recipient_of() -> None:
    """``Recipient.parse(role, ref)`` (not text) reads what ``Recipient.of`` reads, column names and all."""
    queued = OutboxMessage("m-1", "7K3M9QXF2HJQ", Action.FORWARD, "unit", "31.71/dinas-pu", datetime.now(WIB))
    with pytest.deprecated_call(match=r"Recipient\.of"):
        recipient = Recipient.parse("unit", "31.71/dinas-pu")
    assert recipient == Recipient.of(queued) == Recipient(RecipientRole.UNIT, "31.71/dinas-pu")
    with pytest.deprecated_call(), pytest.raises(ValidationError) as caught:
        Recipient.parse("institution")
    assert caught.value.fields_by_name == {"recipient_ref": ("notification.ref_required",)}


def test_event_next_warns_and_builds_the_event_followed_by_builds() -> None:
    """``Event.next`` (which shadowed the builtin) forwards to ``followed_by``."""
    at = datetime(2026, 3, 17, 10, tzinfo=WIB)
    first = Event.first("7K3M9QXF2HJQ", Action.SUBMIT, Actor.reporter(), at, {"kind": "pengaduan"})
    with pytest.deprecated_call(match=r"Event\.followed_by"):
        second = first.next(Action.FORWARD, Actor.admin("adm-1"), at, {"institution": "31.71"})
    assert second == first.followed_by(Action.FORWARD, Actor.admin("adm-1"), at, {"institution": "31.71"})
    assert (second.seq, second.prev_hash) == (1, first.hash)


# --- one enum style -------------------------------------------------------------------------------------


def _domain_enums() -> list[type[enum.Enum]]:
    found: dict[str, type[enum.Enum]] = {}
    for info in pkgutil.iter_modules(lapor_core._domain.__path__, "lapor_core._domain."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, enum.Enum)
                and value.__module__ == module.__name__
            ):
                found[value.__qualname__] = value
    return list(found.values())


def test_every_domain_enum_with_text_values_is_a_str_enum() -> None:
    """One enum style: an enum whose values are text is a StrEnum, so ``str(member)`` is its value."""
    enums = _domain_enums()
    assert {"RegionLevel", "RegionKind", "InstitutionKind", "Visibility", "Status"} <= {
        e.__name__ for e in enums
    }
    plain = [
        e.__qualname__
        for e in enums
        if all(isinstance(m.value, str) for m in e) and not issubclass(e, enum.StrEnum)
    ]
    assert plain == []
    assert str(RegionLevel.PROVINCE) == "province"
    assert f"{InstitutionKind.CITY}" == "city"
