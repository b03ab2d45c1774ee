"""The client: settings, credentials, transport, limits, paging, metadata, reads, cache, sync."""
