"""The write model: the vocabulary of developments, the log that keeps them, audits, importers.

- ``events.vocabulary``: the event types and their fields, EDTF dates, references, validation, errors;
- ``events.log``: the eventsourcing Application, its store per backend, the index, the chain, group commit;
- ``events.audit``: verifying the chain, signed checkpoints, restoring a backup;
- ``events.importers``: every format a log is fed from (NDJSON, backups, data sets), one row loop.

Nothing here imports Flask or marshmallow.
"""
