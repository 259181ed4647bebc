"""Validation (stage 3): Great Expectations suites over the processed tables; every failure becomes
a row of findings.csv, with messages in Vietnamese and English.

    python -m grassroots.validate [PROCESSED_DIR] [--strict]   # default data/processed

Modules, named after what they make: suites (the GX suites, built in memory from the codebook and
rules/tables.yml), relations (the relations frame), findings (findings.csv rows, messages from
rules/findings_messages.yml), run (the GX run, validate_corpus, the command line).
"""

from grassroots.validate.run import ValidationFailed, ValidationSummary, main, validate_corpus

__all__ = ["ValidationFailed", "ValidationSummary", "main", "validate_corpus"]
