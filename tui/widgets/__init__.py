"""Display widgets shared by the screens."""
