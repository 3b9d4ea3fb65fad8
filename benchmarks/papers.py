"""The document a synthetic transfer rests on: the kind the law demands (registry/domain/rights.py) and
a number prefix as a land office would write it."""
from __future__ import annotations

from registry.domain.rights import TRANSFER_DOCUMENTS

PREFIXES = {
    "sale": "AJB", "gift": "AHB", "exchange": "ATM", "inbreng": "AIP", "apbh": "APHB",
    "company_merger": "AKTA-PENGGABUNGAN", "inheritance": "SKW", "auction": "RISALAH-LELANG",
    "court_decision": "PUTUSAN",
}
TRANSFER_PAPERS = {kind: (TRANSFER_DOCUMENTS[kind], prefix) for kind, prefix in PREFIXES.items()}
