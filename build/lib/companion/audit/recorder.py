"""The audit trail writes itself: each change to an audited table becomes one event.

Changes are collected after every flush of the application's session and written just before
the transaction commits, inside it: a rollback leaves neither the change nor its event. One
object changed in several flushes of a transaction (or in a savepoint released into it) makes one
event, with the first old and the last new values; an object created and then changed is one
"create". Bulk UPDATE and DELETE statements on audited tables are recorded as well; bulk INSERTs
are refused. Audit events themselves cannot be changed or removed through the ORM, and the
database's triggers refuse it to raw SQL too.
"""

from __future__ import annotations

import copy
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from functools import cache
from typing import Any

from flask import Flask, g, has_request_context
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import InstanceState, ORMExecuteState, Session, SessionTransaction
from sqlalchemy.orm.scoping import scoped_session

from companion.audit.changes import describe
from companion.audit.models import AuditEvent
from companion.audit.registry import AUDITED, Audited
from companion.db import db
from companion.timestamps import utcnow

PENDING = "audit.pending"  # session.info: {transaction: {object state: Change}}
REASONS = "audit.reasons"  # session.info: reasons given for the transaction in progress
SYSTEM_LABEL = "cli"


class AuditTrailIsAppendOnly(Exception):
    """An attempt to change or remove an audit event, or to bypass the trail."""


def audit_reason(
    reason: str | None, session: Session | scoped_session | None = None
) -> AbstractContextManager[None]:
    """Say why: the events of the transaction in progress (or of the next one) carry `reason`.

    Call it before committing; `with audit_reason("…"):` reads the same. Several reasons in one
    transaction are all kept.
    """
    if reason and reason.strip():
        reasons = (session or db.session).info.setdefault(REASONS, [])
        if reason.strip() not in reasons:
            reasons.append(reason.strip())
    return nullcontext()


_installed = False


def init_audit(app: Flask) -> None:
    """Record every change to an audited table, whichever request, command or worker makes it."""
    global _installed
    app.extensions["audit"] = AUDITED
    if _installed:  # the session and the models are shared by every app of the process
        return
    _installed = True
    for name, listener in (
        ("before_flush", _load_deleted_objects),
        ("after_flush", _note_flushed_changes),
        ("before_commit", _write_events),
        ("after_transaction_end", _forget_transaction),
        ("do_orm_execute", _note_bulk_statement),
    ):
        event.listen(db.session, name, listener)
    for name in ("before_update", "before_delete"):
        event.listen(AuditEvent, name, _refuse_change_to_event)
    for model in AUDITED:
        for key in _recorded_columns(model):
            # an expired attribute is read before it is replaced, so its old value is known
            event.listen(getattr(model, key), "set", _keep_old_value, active_history=True)


@dataclass
class Change:
    """One object's net change so far in a transaction (values in clear, in memory only)."""

    action: str  # create | update | delete
    audited: Audited
    entity_id: int | None
    site_id: int | None
    old: dict[str, Any]
    new: dict[str, Any]

    def followed_by(self, later: Change) -> Change | None:
        """This change and a later one to the same object as one; None when nothing is left."""
        if later.action == "delete":
            if self.action == "create":
                return None
            self.action, self.old, self.new = "delete", {**later.old, **self.old}, {}
        elif later.action == "create":  # removed, then added again
            self.action = "update" if self.action == "delete" else self.action
            self.new = dict(later.new)
        else:
            if self.action == "update":
                self.old = {**later.old, **self.old}
            self.new.update(later.new)
        if self.site_id is None:
            self.site_id = later.site_id
        if self.entity_id is None:
            self.entity_id = later.entity_id
        return self


def _load_deleted_objects(session: Session, _flush_context: Any, _instances: Any) -> None:
    # A deleted object's values are the event's old values: read them while the row exists.
    for obj in session.deleted:
        if type(obj) in AUDITED:
            unloaded = inspect(obj).unloaded & set(_recorded_columns(type(obj)))
            if unloaded:
                session.refresh(obj, attribute_names=sorted(unloaded))


def _note_flushed_changes(session: Session, _flush_context: Any) -> None:
    # After a flush, `new`, `dirty`, `deleted` and attribute history still describe what it wrote.
    for obj in session.new:
        if type(obj) in AUDITED:
            state = inspect(obj)
            _note(session, state, "create", {}, _values(state))
    for obj in session.dirty:
        if type(obj) in AUDITED:
            state = inspect(obj)
            old, new = _history(state)
            if old or new:
                _note(session, state, "update", old, new)
    for obj in session.deleted:
        if type(obj) in AUDITED:
            state = inspect(obj)
            _note(session, state, "delete", _values(state), {})


def _note_bulk_statement(execute_state: ORMExecuteState) -> Any:
    """Record `update(Model)` / `delete(Model)` statements on audited tables object by object."""
    if not (execute_state.is_update or execute_state.is_delete or execute_state.is_insert):
        return None
    mapper = execute_state.bind_mapper
    model = mapper.class_ if mapper is not None else None
    if model is AuditEvent and not execute_state.is_insert:
        raise AuditTrailIsAppendOnly("Audit events cannot be changed or deleted.")
    if model not in AUDITED:
        return None
    if execute_state.is_insert:
        raise AuditTrailIsAppendOnly(
            f"Add {model.__name__} objects to the session so that they are audited; "
            "bulk INSERT would bypass the audit trail."
        )
    session = execute_state.session
    where = execute_state.statement.whereclause
    query = select(model) if where is None else select(model).where(where)
    objects = session.scalars(query).all()  # held: the identity map keeps objects only weakly
    targets = [inspect(obj) for obj in objects]
    if execute_state.is_delete:
        for state in targets:
            _note(session, state, "delete", _values(state), {})
        return None
    before = {state: _values(state) for state in targets}
    result = execute_state.invoke_statement()
    if targets:
        ids = [state.identity[0] for state in targets]
        primary_key = mapper.primary_key[0]
        session.scalars(
            select(model).where(primary_key.in_(ids)).execution_options(populate_existing=True)
        ).all()
    for state, old_values in before.items():
        new_values = _values(state)
        changed = {key for key in new_values if new_values[key] != old_values.get(key)}
        if changed:
            _note(
                session,
                state,
                "update",
                {key: old_values.get(key) for key in changed},
                {key: new_values[key] for key in changed},
            )
    return result


def _note(session: Session, state: InstanceState, action: str, old: dict, new: dict) -> None:
    noted = session.info.setdefault(PENDING, {}).setdefault(_innermost(session), {})
    earlier = noted.get(state)
    change = Change(
        action,
        AUDITED[state.class_],
        _entity_id(state),
        None if earlier is not None and earlier.site_id is not None else _site(session, state),
        old,
        new,
    )
    merged = change if earlier is None else earlier.followed_by(change)
    if merged is None:
        del noted[state]
    else:
        noted[state] = merged


def _write_events(session: Session) -> None:
    """Before a commit: write the transaction's events (or hand a savepoint's to its parent)."""
    transaction = _innermost(session)
    session.flush()
    changes = session.info.get(PENDING, {}).pop(transaction, {})
    if transaction.nested:
        parent = session.info[PENDING].setdefault(transaction.parent, {})
        for state, change in changes.items():
            merged = change if state not in parent else parent[state].followed_by(change)
            if merged is None:
                del parent[state]
            else:
                parent[state] = merged
        return
    if not changes:
        return
    actor_type, actor_id, actor_label = _actor()
    reason = "; ".join(session.info.get(REASONS, [])) or None
    now = utcnow()
    for change in changes.values():
        described = describe(change.audited, change.old, change.new)
        if change.action == "update" and not described:
            continue
        session.add(
            AuditEvent(
                at=now,
                site_id=change.site_id,
                actor_type=actor_type,
                actor_id=actor_id,
                actor_label=actor_label,
                action=change.action,
                entity_type=change.audited.entity_type,
                entity_id=change.entity_id,
                changes=described,
                reason=reason,
            )
        )


def _forget_transaction(session: Session, transaction: SessionTransaction) -> None:
    # A savepoint rolled back takes its changes with it; the end of the outermost transaction
    # (commit, rollback or close) ends its reasons too.
    session.info.get(PENDING, {}).pop(transaction, None)
    if transaction.parent is None:
        session.info.pop(REASONS, None)


def _refuse_change_to_event(_mapper: Any, _connection: Any, _target: AuditEvent) -> None:
    raise AuditTrailIsAppendOnly("Audit events cannot be changed or deleted.")


def _keep_old_value(_target: Any, _value: Any, _old: Any, _initiator: Any) -> None:
    return None


def _actor() -> tuple[str, int | None, str]:
    """Who is acting: the signed-in staff member, a member of the public, or the system (CLI)."""
    if not has_request_context():
        return "system", None, SYSTEM_LABEL
    user = g.get("staff")
    if user is None:
        return "public", None, "public"
    return "staff", user.id, user.email


def _innermost(session: Session) -> SessionTransaction:
    return session.get_nested_transaction() or session.get_transaction()


@cache
def _recorded_columns(model: type) -> tuple[str, ...]:
    mapper = inspect(model)
    ignored = AUDITED[model].ignored
    return tuple(
        attribute.key
        for attribute in mapper.column_attrs
        if attribute.key not in ignored and not any(c.primary_key for c in attribute.columns)
    )


def _values(state: InstanceState) -> dict[str, Any]:
    return {
        key: copy.deepcopy(state.dict[key])
        for key in _recorded_columns(state.class_)
        if key in state.dict
    }


def _history(state: InstanceState) -> tuple[dict[str, Any], dict[str, Any]]:
    old: dict[str, Any] = {}
    new: dict[str, Any] = {}
    for key in _recorded_columns(state.class_):
        history = state.attrs[key].history
        if history.has_changes():
            old[key] = copy.deepcopy(history.deleted[0]) if history.deleted else None
            new[key] = copy.deepcopy(history.added[0]) if history.added else None
    return old, new


def _entity_id(state: InstanceState) -> int | None:
    if state.identity:
        return state.identity[0]
    mapper = state.mapper
    return state.dict.get(mapper.get_property_by_column(mapper.primary_key[0]).key)


def _site(session: Session, state: InstanceState) -> int | None:
    return AUDITED[state.class_].site_of(session, state.dict)
