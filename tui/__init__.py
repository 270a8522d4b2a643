"""The Textual counter terminal (网签柜台) and its command line.

``tui.app.WangqianApp`` is the terminal; screens live in ``tui.screens`` and
reusable display widgets in ``tui.widgets``. Screens gather input, call a
service in a thread worker and show the result; no business rule lives here.
"""
