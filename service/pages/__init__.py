"""Pages for people: views, the models they render, charts drawn on the server, templates and static files."""
