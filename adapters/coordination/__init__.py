"""JobLease adapters: in-process, a lock file beside SQLite, PostgreSQL advisory locks."""
