"""The query model: what a read asks, built from the user's arguments and shown back as code."""
