"""The refresh as explicit steps, a journal to resume, a lock, rollback and cleanup."""
