"""`python -m registry.audit BUNDLE_DIR`: verify an audit bundle offline (registry/audit/bundle.py)."""
import sys

from registry.audit.bundle import main

sys.exit(main(sys.argv[1:]))
