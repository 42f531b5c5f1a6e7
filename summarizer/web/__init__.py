"""The HTTP surface: the app factory, routes, intake of requests, auth, streaming, ops, OpenAPI and
the Word add-in's files. Routes validate and hand over to the queue; they never run the model."""
