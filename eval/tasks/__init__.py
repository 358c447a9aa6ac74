"""One module per ``python -m eval`` task."""
