from __future__ import annotations

import hashlib
import hmac
import re
import secrets

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lapor_core._domain.keys import KEY_BITS, StoredKey, new_access_key, normalize_access_key
from lapor_core.errors import ConfigurationError, ValidationError

PEPPER = b"test pepper, sixteen bytes or more"
SYMBOL = "[0-9A-HJKMNP-TV-Z]"
KEY_SHAPE = re.compile("-".join([f"{SYMBOL}{{4}}"] * 4))
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

keys = st.text(alphabet=CROCKFORD, min_size=16, max_size=16).map(
    lambda s: "-".join(s[i : i + 4] for i in range(0, 16, 4))
)


def test_new_keys_are_four_groups_of_four_symbols() -> None:
    """A new key looks like XXXX-XXXX-XXXX-XXXX in Crockford base32, and keys differ."""
    made = [new_access_key() for _ in range(500)]
    assert all(KEY_SHAPE.fullmatch(key) for key in made)
    assert len(set(made)) == len(made)


def test_new_key_draws_80_bits_from_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """new_access_key asks secrets for 80 bits and writes all of them."""
    asked: list[int] = []

    def fake_randbits(bits: int) -> int:
        asked.append(bits)
        return 2**bits - 1

    monkeypatch.setattr(secrets, "randbits", fake_randbits)
    assert new_access_key() == "ZZZZ-ZZZZ-ZZZZ-ZZZZ"
    assert asked == [KEY_BITS] == [80]


@pytest.mark.parametrize(
    "typed",
    [
        "0123-4567-89AB-CDEF",
        "0123456789abcdef",
        " o123 4567 89ab cdef ",
        "O123-4567-89AB-CDEF",
        "0123\u20134567 89AB CDEF",
    ],
)
def test_normalize_accepts_what_people_type(typed: str) -> None:
    """Case, spaces, hyphens and O for 0 do not matter."""
    assert normalize_access_key(typed) == "0123-4567-89AB-CDEF"


def test_normalize_reads_i_and_l_as_one() -> None:
    """I and L are read as 1, as in tracking IDs."""
    assert normalize_access_key("i1L1-0000-0000-0000") == "1111-0000-0000-0000"


@pytest.mark.parametrize(
    "junk",
    [
        None,
        5,
        b"0123456789ABCDEF",
        "",
        "0123-4567-89AB-CDE",
        "0123-4567-89AB-CDEFG",
        "0123-4567-89AB-CDEU",
        "x" * 10_000,
    ],
)
def test_normalize_returns_none_for_junk(junk: object) -> None:
    """Anything that cannot be a key gives None, not an error."""
    assert normalize_access_key(junk) is None


@given(st.one_of(st.text(max_size=100), st.binary(max_size=20), st.integers(), st.none()))
def test_normalize_never_raises(value: object) -> None:
    """Arbitrary input gives a canonical key or None."""
    result = normalize_access_key(value)
    assert result is None or KEY_SHAPE.fullmatch(result)


@given(keys)
def test_normalize_is_idempotent_on_canonical_keys(key: str) -> None:
    """A canonical key normalises to itself."""
    assert normalize_access_key(key) == key
    assert normalize_access_key(key.lower().replace("-", " ")) == key


def test_stored_key_verifies_the_key_it_was_made_from() -> None:
    """Verifying is true for the key, however loosely typed, and false for another key."""
    key = new_access_key()
    stored = StoredKey.create(key, pepper=PEPPER)
    assert stored.verify(key, pepper=PEPPER)
    assert stored.verify(key.lower().replace("-", ""), pepper=PEPPER)
    assert not stored.verify(new_access_key(), pepper=PEPPER)


def test_stored_key_is_hmac_sha256_of_salt_and_normalised_key() -> None:
    """The digest is HMAC-SHA256 under the pepper of the 16-byte salt followed by the canonical key."""
    stored = StoredKey.create("0123 4567 89ab cdef", pepper=PEPPER)
    expected = hmac.new(PEPPER, stored.salt + b"0123-4567-89AB-CDEF", hashlib.sha256).digest()
    assert len(stored.salt) == 16
    assert stored.digest == expected


def test_the_same_key_is_stored_differently_each_time() -> None:
    """A fresh random salt per key makes two stored forms of one key differ."""
    key = new_access_key()
    first, second = StoredKey.create(key, pepper=PEPPER), StoredKey.create(key, pepper=PEPPER)
    assert first.salt != second.salt
    assert first.digest != second.digest


def test_a_different_pepper_does_not_verify() -> None:
    """Without the deployment's pepper the stored key cannot be checked."""
    key = new_access_key()
    stored = StoredKey.create(key, pepper=PEPPER)
    assert not stored.verify(key, pepper=b"another pepper of sixteen bytes!")


@given(st.one_of(st.text(max_size=100), st.integers(), st.none(), st.binary(max_size=40)))
def test_verify_of_junk_is_false_and_never_raises(junk: object) -> None:
    """Anything that is not the key gives False, without an exception."""
    stored = StoredKey.create("0123-4567-89AB-CDEF", pepper=PEPPER)
    assert stored.verify(junk, pepper=PEPPER) is (normalize_access_key(junk) == "0123-4567-89AB-CDEF")


@pytest.mark.parametrize("pepper", [b"", "a text pepper"])
def test_a_missing_pepper_is_a_configuration_error(pepper: object) -> None:
    """An empty or non-bytes pepper is a deployment error on create and on verify, even for junk keys."""
    stored = StoredKey.create("0123-4567-89AB-CDEF", pepper=PEPPER)
    with pytest.raises(ConfigurationError):
        StoredKey.create("0123-4567-89AB-CDEF", pepper=pepper)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError):
        stored.verify("0123-4567-89AB-CDEF", pepper=pepper)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError):
        stored.verify("junk", pepper=pepper)  # type: ignore[arg-type]


@pytest.mark.parametrize("key", ["", "not a key", "0123-4567-89AB-CDE", None])
def test_create_refuses_what_is_not_a_key(key: object) -> None:
    """Creating a stored key from junk is a ValidationError naming access_key, never echoing it."""
    with pytest.raises(ValidationError) as caught:
        StoredKey.create(key, pepper=PEPPER)  # type: ignore[arg-type]
    assert [e.field for e in caught.value.errors] == ["access_key"]
    assert "not a key" not in str(caught.value)


@pytest.mark.parametrize(
    ("salt", "digest", "field"),
    [(b"short", bytes(32), "salt"), (bytes(16), bytes(31), "digest"), ("text" * 4, bytes(32), "salt")],
)
def test_stored_key_refuses_damaged_values(salt: object, digest: object, field: str) -> None:
    """A salt that is not 16 bytes or a digest that is not 32 bytes is a ValidationError."""
    with pytest.raises(ValidationError) as caught:
        StoredKey(salt=salt, digest=digest)  # type: ignore[arg-type]
    assert caught.value.errors[0].field == field


def test_stored_key_repr_shows_no_bytes() -> None:
    """The repr reveals neither salt nor digest."""
    stored = StoredKey.create(new_access_key(), pepper=PEPPER)
    assert repr(stored) == "StoredKey()"


def test_stored_key_round_trips_through_its_fields() -> None:
    """Rebuilding from the stored salt and digest verifies the same key (as a store does)."""
    key = new_access_key()
    stored = StoredKey.create(key, pepper=PEPPER)
    loaded = StoredKey(salt=stored.salt, digest=stored.digest)
    assert loaded == stored
    assert loaded.verify(key, pepper=PEPPER)
