"""How the projection store trades space for time (tests set smaller values to reach every path)."""

#: a scope's state is kept every this many items in world order
SNAPSHOT_EVERY = 64
#: developments read from the log at a time
PAGE = 1000
#: pages a catch-up settles in one transaction
PAGES_PER_TRANSACTION = 20
#: developments a rebuild turns into items in memory before writing them
REBUILD_CHUNK = 100_000
#: log positions past the tracked one that a reader folds in memory; past it, answers reflect the
#: first TAIL_LIMIT positions (``computed_for.head`` says which) until a writer or the worker catches up
TAIL_LIMIT = 10_000
