"""The certificates read model: one row per certificate number with its title's state, every
title ever issued (closed ones too), for lookups by number and public verification."""
from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Integer, MetaData, String, Table, select
from sqlalchemy.orm import Session

from projections import bulk, title_state
from projections.log import LogEvent

Row = dict[str, Any]


class CertificateTables:
    """The certificates table, live or (with a suffix) being rebuilt."""

    def __init__(self, suffix: str = "") -> None:
        self.certificates = Table(
            f"landreg_certificates{suffix}", MetaData(),
            Column("certificate_number", String(14), primary_key=True),
            Column("title_id", String(36), nullable=False, unique=True),
            Column("nib", String(13), nullable=False, index=True),
            Column("right_type", String(8), nullable=False),
            Column("status", String(10), nullable=False),
            Column("edition", Integer, nullable=False),
            Column("title", JSON, nullable=False),  # the whole state (projections.title_state)
            Column("version", Integer, nullable=False),
            Column("updated_at", String(40), nullable=False),
            Column("position", BigInteger, nullable=False),
        )
        self.all = [self.certificates]


def row_of(title: title_state.Title, position: int) -> Row:
    return {"certificate_number": title["certificate_number"], "title_id": title["title_id"], "nib": title["nib"],
            "right_type": title["right_type"], "status": title["status"], "edition": title["edition"],
            "title": title, "version": title["version"], "updated_at": title["updated_at"], "position": position}


def apply(session: Session, tables: CertificateTables, events: list[LogEvent]) -> None:
    """Fold the batch's title events into the certificates table."""
    mine = [e for e in events if title_state.is_title_event(e)]
    if not mine:
        return
    table = tables.certificates
    titles: dict[str, title_state.Title] = {}
    if any(e.kind != "Title.RightRegistered" for e in mine):  # a title just registered has no row yet
        titles = {r.title_id: r.title for r in session.execute(
            select(table.c.title_id, table.c.title).where(
                bulk.among(session, table.c.title_id, {e.originator_id for e in mine}))
        ).all()}
    last: dict[str, int] = {}
    for event in mine:
        titles[event.originator_id] = title_state.fold(titles.get(event.originator_id), event)
        last[event.originator_id] = event.position
    bulk.replace(session, table, [row_of(titles[key], position) for key, position in last.items()])
