"""Rule files: loading with locations, compiling against a live catalog into a Plan."""
