"""Group insight reads every app and writes nothing of its own."""
