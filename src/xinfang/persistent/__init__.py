"""信访老户: long-standing petitioners found by administrator-set thresholds, and their
register (R-REPEAT-1..3, R-INFO-2). Reads cases; written only through services.py."""
