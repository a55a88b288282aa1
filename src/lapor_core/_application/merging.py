"""Merging a duplicate complaint into its original (issue 22): one command that changes two complaints.

The duplicate moves to the terminal status ``merged`` and remembers the original (``merged_into``); the
original records that it took the duplicate in (``absorb``) and counts it as one supporter. Both events are
saved together with the store's ``save_many``, all or nothing and compare-and-set on both versions read.

A store without ``save_many`` cannot merge (:class:`~lapor_core.ConfigurationError`): no order of two
separate saves is safe. Saving the duplicate first lets two admins merging A into B and B into A at once
both succeed (a cycle of two merged complaints, each following the other); saving the original first
leaves it counting a duplicate that was never merged when the second save loses a race. Every built-in
store has ``save_many``.

Merges form no cycle: only an open complaint is merged, and never into a merged one, so every merge points
from a merged complaint to one that was not merged when it was saved; two opposite merges at once both read
the two complaints open, and the compare-and-set lets only the first save either of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import attrs

from lapor_core._application.context import DeskContext
from lapor_core._application.kernel import (
    Command,
    Recorded,
    actor_of,
    authorise,
    canonical_id,
    changes_for,
    load_for,
    require_principal,
)
from lapor_core._domain.access import Principal
from lapor_core._domain.lifecycle import Action, Status, next_status
from lapor_core._domain.ports import Changeset
from lapor_core.errors import ConfigurationError, ValidationError

__all__ = ["merge"]


def _original_id(into: object) -> str:
    try:
        return canonical_id(into)
    except ValidationError as invalid:  # the error names the argument it came from
        raise ValidationError([attrs.evolve(e, field="into") for e in invalid.errors]) from None


def merge(ctx: DeskContext, principal: Principal, tracking_id: object, *, into: object) -> Recorded:
    """Merge the duplicate ``tracking_id`` into the original ``into``; returns what the duplicate recorded.

    Raises:
        ValidationError: ``into`` names the duplicate itself (``merge.into_itself``) or a merged complaint
            (``merge.into_merged``, with the complaint that one was merged into), or is not a tracking ID.
        NotFound: Either complaint is unknown, or one the principal may not know exists.
        NotAllowed: The principal is not an admin.
        TransitionNotAllowed: The duplicate is not open, or the original is archived.
        ConcurrencyConflict: Either complaint changed since it was read; nothing was saved.
        ConfigurationError: The store cannot save two complaints atomically.
    """
    who = require_principal(principal)
    duplicate_id = canonical_id(tracking_id)
    original_id = _original_id(into)
    if duplicate_id == original_id:
        raise ValidationError.single("into", "merge.into_itself")
    save_many: Callable[[Sequence[Changeset]], None] | None = getattr(ctx.store, "save_many", None)
    if save_many is None:
        raise ConfigurationError("merging needs a store that saves two complaints atomically (save_many)")
    duplicate, duplicate_relation = load_for(ctx, who, duplicate_id)
    original, original_relation = load_for(ctx, who, original_id)
    authorise(duplicate, duplicate_relation, Action.MERGE)
    authorise(original, original_relation, Action.ABSORB)
    if original.status is Status.MERGED:
        raise ValidationError.single("into", "merge.into_merged", original=original.merged_into)
    has_unit = duplicate.unit is not None
    next_status(duplicate.status, Action.MERGE, complaint_id=duplicate_id, has_unit=has_unit)
    next_status(original.status, Action.ABSORB, complaint_id=original_id)
    # The duplicate counts once among the original's supporters, under a hash no citizen's support can equal.
    supporter = ctx.keyed_hash("merged", original_id, duplicate_id)
    merged = Command(
        Action.MERGE,
        {"into": original_id},
        lambda c: attrs.evolve(c, merged_into=original_id),
        (("reporter", None),),
    )
    absorbed = Command(
        Action.ABSORB,
        {"duplicate": duplicate_id},
        lambda c: attrs.evolve(c, supporters=c.supporters | {supporter}),
    )
    now = ctx.clock.now()
    actor = actor_of(who)
    duplicate_changes, recorded = changes_for(ctx, duplicate, [(merged, actor)], now)
    original_changes, _ = changes_for(ctx, original, [(absorbed, actor)], now)
    save_many([original_changes, duplicate_changes])
    return recorded
