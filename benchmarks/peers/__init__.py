"""Peers of the benchmark figures: the same work done by something other than landreg, same run, same data.

Each function takes a PostgreSQL URL (a database it may drop and fill, never landreg_test* or
postgres) and sizes, and returns `Measure`s (name, value, unit, n). Row of the table -> peer:

    survey / title / transfer commands  plain_save          plain eventsourcing Application, no guard (commands/s)
                                        crud                GeoAlchemy2 rows updated in place + audit_log (commands/s)
                                        message_db          Message DB write_message, one commit each (messages/s)
    event store append, single / batch  recorders           eventsourcing-sqlalchemy vs eventsourcing.postgres
                                                            (events/s)
    bulk import                         raw_copy            raw COPY into bare events + GiST-indexed parcels
                                                            (rows/s, parcels/s)
    rebuild of a read model             raw_read            raw sequential read of the events table (events/s)
                                        library_projection_runner  library ProjectionRunner, 1 transaction/event
                                                                   (events/s)
    audit verify                        raw_read, raw_sha256  raw read, and raw read + sha256 of each state (events/s)
"""
from benchmarks.peers.common import Measure
from benchmarks.peers.crud import crud
from benchmarks.peers.message_db import MessageDbUnavailable, message_db
from benchmarks.peers.plain_save import plain_save
from benchmarks.peers.projection_runner import library_projection_runner
from benchmarks.peers.raw import ParcelRows, raw_copy, raw_read, raw_sha256, synthetic_rows
from benchmarks.peers.recorders import recorders

__all__ = [
    "Measure", "MessageDbUnavailable", "ParcelRows", "crud", "library_projection_runner", "message_db",
    "plain_save", "raw_copy", "raw_read", "raw_sha256", "recorders", "synthetic_rows",
]
