"""Execute a compiled Plan on a clone, and verify the result."""
