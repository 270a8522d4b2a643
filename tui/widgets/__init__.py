"""Widgets shared by the screens: lists and panes (tables, detail, contract), the message
line (message), and the pieces forms are built of (form)."""
