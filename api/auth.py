"""Bearer tokens: created by `landreg tokens create`, shown once, stored only as a sha256 hash."""
from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from fastapi import HTTPException
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, select, update
from sqlalchemy.engine import Engine

from registry.domain.values import Actor

ROLES = ("surveyor", "officer", "auditor", "admin")
tokens = Table(
    "landreg_tokens", MetaData(),
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("token_sha256", String(64), nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenStore:
    """Creates, revokes and resolves tokens to the actor they stand for."""

    def __init__(self, engine: Engine, read_engine: Engine | None = None) -> None:
        self.engine = engine
        self.read_engine = read_engine or engine  # lookups: on a replica, new tokens show after its lag

    def create(self, name: str, role: str) -> str:
        """A new token for `name` acting as `role`; the only time the token itself is known."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        if not name.strip() or len(name) > 64:
            raise ValueError("name must be 1 to 64 characters")
        token = f"lr_{secrets.token_urlsafe(32)}"
        with self.engine.begin() as connection:
            connection.execute(tokens.insert().values(
                name=name, role=role, token_sha256=_digest(token), created_at=datetime.now(UTC)))
        return token

    def revoke(self, name: str) -> int:
        """Revoke every live token of `name`; returns how many."""
        with self.engine.begin() as connection:
            result = connection.execute(update(tokens).where(tokens.c.name == name, tokens.c.revoked_at.is_(None))
                                        .values(revoked_at=datetime.now(UTC)))
        return int(result.rowcount)

    def actor(self, token: str | None) -> Actor:
        """The actor behind the token of an 'Authorization: Bearer …' header, or 401."""
        if not token or not token.strip():
            raise HTTPException(401, "Missing bearer token", headers={"WWW-Authenticate": "Bearer"})
        with self.read_engine.connect() as connection:
            row = connection.execute(select(tokens.c.name, tokens.c.role).where(
                tokens.c.token_sha256 == _digest(token.strip()), tokens.c.revoked_at.is_(None))).first()
        if row is None:
            raise HTTPException(401, "Unknown or revoked token", headers={"WWW-Authenticate": "Bearer"})
        return Actor(row.name, row.role)
