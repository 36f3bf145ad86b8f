"""The shipped default definitions (YAML) and the strict loader that syncs them."""
