"""Long documents: planning (one call or chunks), chunking on the document's structure, and the
engine's side of map-reduce."""
