"""reportlab documents, built from plain data the services hand over."""
